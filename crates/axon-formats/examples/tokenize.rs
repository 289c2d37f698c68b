//! Prints the token ids of a string for a GGUF file's tokenizer:
//! `cargo run -p axon-formats --example tokenize -- models/x.gguf "text"`.

use axon_formats::gguf::GgufFile;
use axon_formats::tokenizer::Tokenizer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(text)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: tokenize FILE.gguf TEXT");
        std::process::exit(2);
    };
    let start = std::time::Instant::now();
    let file = GgufFile::open(path)?;
    let tokenizer = Tokenizer::from_gguf(&file)?;
    let built = start.elapsed();
    let ids = tokenizer.encode(text, false)?;
    println!("{ids:?}");
    println!("{:?}", tokenizer.decode(&ids, false)?);
    eprintln!("built in {built:?}");
    Ok(())
}
