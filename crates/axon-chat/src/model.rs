//! A model ready to chat: the engine (weights on the GPU), its tokenizer, its chat template
//! and the tokens that end a turn.

use crate::chat::Chat;
use crate::error::ChatError;
use crate::options::{DEFAULT_CONTEXT, GenerateOptions, LoadProgress, ModelOptions};
use crate::reply::{Reply, TextStream};
use crate::stop::StopStrings;
use axon_formats::gguf::GgufFile;
use axon_formats::template::{ChatTemplate, Message};
use axon_formats::tokenizer::Tokenizer;
use axon_gpu::Gpu;
use axon_models::weights::ModelWeights;
use axon_runtime::{Engine, GenerateParams, Session, open_model_with_progress, require_model};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// A loaded model: weights on the GPU, tokenizer, chat template.
pub struct Model {
    engine: Engine<'static, ModelWeights>,
    tokenizer: Tokenizer,
    template: Option<ChatTemplate>,
    /// Template variables the file defines (`bos_token`, `eos_token`).
    template_variables: serde_json::Value,
    stop_tokens: Vec<u32>,
    context: usize,
    path: PathBuf,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("path", &self.path)
            .field("context", &self.context)
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Opens the adapter `options` asks for and loads `path` (a GGUF file or a Hugging Face
    /// checkpoint directory) onto it.
    pub fn load(path: impl AsRef<Path>, options: &ModelOptions) -> Result<Self, ChatError> {
        Self::load_with_progress(path, options, |_| {})
    }

    /// [`Model::load`], reporting the weight upload's progress.
    pub fn load_with_progress(
        path: impl AsRef<Path>,
        options: &ModelOptions,
        on_progress: impl FnMut(LoadProgress),
    ) -> Result<Self, ChatError> {
        let path = path.as_ref();
        require_model(path)?;
        let gpu = Arc::new(Gpu::with_preference(&options.adapter)?);
        Self::load_on(gpu, path, options, on_progress)
    }

    /// Loads `path` onto a device the caller opened (several models can share one).
    pub fn load_on(
        gpu: Arc<Gpu>,
        path: impl AsRef<Path>,
        options: &ModelOptions,
        mut on_progress: impl FnMut(LoadProgress),
    ) -> Result<Self, ChatError> {
        let path = path.as_ref();
        require_model(path)?;
        let tokenizer = if path.is_dir() {
            Tokenizer::from_hf_dir(path)?
        } else {
            Tokenizer::from_gguf(&GgufFile::open(path)?)?
        };
        let template = tokenizer
            .chat_template()
            .map(ChatTemplate::new)
            .transpose()?;
        let engine = open_model_with_progress(
            gpu,
            path,
            options.layout,
            options.engine,
            &mut |uploaded, total| on_progress(LoadProgress { uploaded, total }),
        )?;
        let special = tokenizer.special();
        let stop_tokens = [special.eos, special.eot].into_iter().flatten().collect();
        let text_of = |id: Option<u32>| id.and_then(|i| tokenizer.token_text(i));
        let template_variables = serde_json::json!({
            "bos_token": text_of(special.bos).unwrap_or_default(),
            "eos_token": text_of(special.eos).unwrap_or_default(),
        });
        let trained = engine.config().trained_context.unwrap_or(DEFAULT_CONTEXT);
        let context = options.context.unwrap_or(trained.min(DEFAULT_CONTEXT));
        Ok(Self {
            engine,
            tokenizer,
            template,
            template_variables,
            stop_tokens,
            context,
            path: path.to_path_buf(),
        })
    }

    /// The file or directory it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The device it runs on.
    pub fn gpu(&self) -> &Gpu {
        self.engine.gpu()
    }

    /// The engine, for token-level work (forward passes, logits).
    pub fn engine(&self) -> &Engine<'static, ModelWeights> {
        &self.engine
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Tokens a session of [`Model::session`] holds.
    pub fn context(&self) -> usize {
        self.context
    }

    /// Tokens that end a reply: the vocabulary's end-of-sequence and end-of-turn tokens.
    pub fn stop_tokens(&self) -> &[u32] {
        &self.stop_tokens
    }

    /// `text` as token ids (no special tokens added: chat templates write their own).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, ChatError> {
        Ok(self.tokenizer.encode(text, false)?)
    }

    /// How many tokens `text` takes.
    pub fn count_tokens(&self, text: &str) -> Result<usize, ChatError> {
        Ok(self.encode(text)?.len())
    }

    /// `ids` as text, control tokens skipped.
    pub fn decode(&self, ids: &[u32]) -> Result<String, ChatError> {
        Ok(self.tokenizer.decode(ids, true)?)
    }

    /// Whether the model ships a chat template.
    pub fn has_chat_template(&self) -> bool {
        self.template.is_some()
    }

    /// `messages` formatted by the model's chat template; `add_generation_prompt` appends the
    /// assistant's header, for the model to reply.
    pub fn apply_chat_template(
        &self,
        messages: &[Message],
        add_generation_prompt: bool,
    ) -> Result<String, ChatError> {
        let template = self
            .template
            .as_ref()
            .ok_or_else(|| ChatError::NoTemplate {
                model: self.path.display().to_string(),
            })?;
        Ok(template.render(messages, add_generation_prompt, &self.template_variables)?)
    }

    /// A new session of [`Model::context`] tokens.
    pub fn session(&self) -> Result<Session, ChatError> {
        self.session_with_context(self.context)
    }

    /// A new session holding up to `context` tokens.
    pub fn session_with_context(&self, context: usize) -> Result<Session, ChatError> {
        Ok(self.engine.session(context)?)
    }

    /// A conversation on a new session, formatted by the chat template.
    pub fn chat(&self) -> Result<Chat<'_>, ChatError> {
        Chat::new(self)
    }

    /// Feeds `prompt` (raw text, no template) after the session's tokens and streams the
    /// reply as text pieces.
    pub fn stream<'a>(
        &'a self,
        session: &'a mut Session,
        prompt: &str,
        options: &GenerateOptions,
    ) -> Result<TextStream<'a>, ChatError> {
        let ids = self.encode(prompt)?;
        self.stream_tokens(session, &ids, options)
    }

    /// [`Model::stream`] from token ids.
    pub fn stream_tokens<'a>(
        &'a self,
        session: &'a mut Session,
        prompt: &[u32],
        options: &GenerateOptions,
    ) -> Result<TextStream<'a>, ChatError> {
        let params = GenerateParams {
            sampling: options.sampling.clone(),
            max_tokens: options.max_tokens,
            stop_tokens: self
                .stop_tokens
                .iter()
                .chain(&options.stop_tokens)
                .copied()
                .collect(),
        };
        let start = Instant::now();
        let tokens = self.engine.stream(session, prompt, &params)?;
        Ok(TextStream {
            tokens,
            detokenizer: self.tokenizer.stream(true),
            stops: StopStrings::new(options.stop_strings.iter().cloned()),
            cancel: options.cancel.clone(),
            text: String::new(),
            prompt_tokens: prompt.len(),
            prefill_time: start.elapsed(),
            decode_start: Instant::now(),
        })
    }

    /// Feeds `prompt` (raw text) and generates, calling `on_text` with each piece of text as
    /// it is decoded (return `ControlFlow::Break` to stop).
    pub fn generate(
        &self,
        session: &mut Session,
        prompt: &str,
        options: &GenerateOptions,
        on_text: impl FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Reply, ChatError> {
        let ids = self.encode(prompt)?;
        self.generate_tokens(session, &ids, options, on_text)
    }

    /// [`Model::generate`] from token ids.
    pub fn generate_tokens(
        &self,
        session: &mut Session,
        prompt: &[u32],
        options: &GenerateOptions,
        mut on_text: impl FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Reply, ChatError> {
        let mut stream = self.stream_tokens(session, prompt, options)?;
        while let Some(piece) = stream.next() {
            if on_text(&piece?).is_break() {
                stream.cancel();
            }
        }
        stream.finish()
    }
}
