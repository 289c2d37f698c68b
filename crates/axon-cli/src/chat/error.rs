//! Why a chat could not start or go on.

/// A failed `axon chat` / `axon run`.
#[derive(Debug, thiserror::Error)]
pub enum ChatCliError {
    /// Loading, templating or generating failed.
    #[error(transparent)]
    Chat(#[from] axon_chat::ChatError),
    /// The default model could not be fetched.
    #[error(transparent)]
    Fetch(#[from] axon_chat::default_model::FetchError),
    /// No GPU adapter could be opened.
    #[error(transparent)]
    BringUp(#[from] axon_gpu::BringUpError),
    /// An `AXON_FUSE_*` switch is malformed.
    #[error(transparent)]
    Load(#[from] axon_runtime::LoadError),
    /// `AXON_REQUIRE_GPU=1` and the only adapter is a software one.
    #[error(
        "AXON_REQUIRE_GPU=1, but the chosen adapter {adapter:?} is a software one (CPU). \
         Install your GPU's Vulkan driver (AMD/Intel: `apt-get install mesa-vulkan-drivers`; \
         NVIDIA: the proprietary driver), or unset AXON_REQUIRE_GPU to chat on the CPU, slowly"
    )]
    SoftwareRefused {
        /// The adapter's name.
        adapter: String,
    },
    /// Reading input or writing the reply failed.
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
    /// The Ctrl-C handler could not be installed.
    #[error("installing the Ctrl-C handler: {0}")]
    Signal(#[from] ctrlc::Error),
}
