//! The `axon` binary.

fn main() -> std::process::ExitCode {
    axon_cli::main()
}
