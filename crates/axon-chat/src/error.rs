//! What the text-level API reports. Each message says what went wrong and what to do.

/// A failed load, tokenization, template rendering or generation.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// No GPU adapter could be opened (the message says how to install a driver or allow the
    /// software adapter).
    #[error(transparent)]
    BringUp(#[from] axon_gpu::BringUpError),
    /// The model could not be opened: missing file, unsupported architecture or tensor format.
    #[error(transparent)]
    Load(#[from] axon_runtime::LoadError),
    /// The model file's vocabulary could not be read.
    #[error(transparent)]
    Gguf(#[from] axon_formats::gguf::GgufError),
    /// A forward pass failed (the context-full message says the limit and how to raise it).
    #[error(transparent)]
    Runtime(#[from] axon_runtime::RuntimeError),
    /// Tokenizing or detokenizing failed.
    #[error(transparent)]
    Tokenizer(#[from] axon_formats::tokenizer::TokenizerError),
    /// The chat template failed to compile or render.
    #[error(transparent)]
    Template(#[from] axon_formats::template::TemplateError),
    /// The model ships no chat template, so messages cannot be formatted.
    #[error(
        "{model} has no chat template (it is likely a base model, not an instruct one); \
         use an instruct model, or generate from raw text with `Model::generate`"
    )]
    NoTemplate {
        /// The model's path.
        model: String,
    },
    /// The default model could not be fetched.
    #[error(transparent)]
    Fetch(#[from] crate::default_model::FetchError),
}
