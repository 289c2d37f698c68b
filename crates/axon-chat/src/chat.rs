//! A conversation: messages formatted by the model's chat template, one session that keeps
//! the KV cache (and recurrent state) between turns.

use crate::error::ChatError;
use crate::model::Model;
use crate::options::GenerateOptions;
use crate::reply::Reply;
use axon_formats::template::Message;
use axon_runtime::Session;
use std::ops::ControlFlow;

/// A conversation with a [`Model`].
///
/// Each turn renders the whole conversation through the chat template. When the session's
/// tokens are a prefix of the rendered tokens, only the new suffix is fed; otherwise (a stop
/// string cut the last reply, or the reply's text tokenizes differently from the tokens the
/// model produced) the session is reset and the conversation fed again: Gated DeltaNet's
/// recurrent state cannot be rewound, and the rule is the same for every model. A session
/// broken by a failed pass is reset and fed again the same way, so a failed turn does not
/// end the conversation.
#[derive(Debug)]
pub struct Chat<'m> {
    model: &'m Model,
    session: Session,
    system: Option<String>,
    messages: Vec<Message>,
}

impl<'m> Chat<'m> {
    /// A conversation on a new session of [`Model::context`] tokens.
    pub fn new(model: &'m Model) -> Result<Self, ChatError> {
        if !model.has_chat_template() {
            return Err(ChatError::NoTemplate {
                model: model.path().display().to_string(),
            });
        }
        Ok(Self {
            model,
            session: model.session()?,
            system: None,
            messages: Vec::new(),
        })
    }

    /// Sets the system message (kept by [`Chat::reset`]); `None`: the template's default.
    pub fn with_system(mut self, system: Option<String>) -> Self {
        self.system = system;
        self
    }

    /// The user's and assistant's messages so far (the system message excluded).
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Tokens the session holds.
    pub fn tokens_used(&self) -> usize {
        self.session.position()
    }

    /// Most tokens the session can hold.
    pub fn context(&self) -> usize {
        self.session.context()
    }

    /// Forgets the conversation (the system message stays).
    pub fn reset(&mut self) -> Result<(), ChatError> {
        self.messages.clear();
        self.model.engine().reset(&mut self.session)?;
        Ok(())
    }

    /// Sends `user`'s message and generates the reply, calling `on_text` with each piece as it
    /// is decoded (return `ControlFlow::Break` to stop). The reply joins the conversation; on
    /// an error the user's message is taken back.
    pub fn send(
        &mut self,
        user: &str,
        options: &GenerateOptions,
        on_text: impl FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Reply, ChatError> {
        self.messages.push(Message::new("user", user));
        let result = self.reply(options, on_text);
        match &result {
            Ok(reply) => self
                .messages
                .push(Message::new("assistant", reply.text.as_str())),
            Err(_) => {
                self.messages.pop();
            }
        }
        result
    }

    fn reply(
        &mut self,
        options: &GenerateOptions,
        on_text: impl FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Reply, ChatError> {
        let mut all = Vec::with_capacity(self.messages.len() + 1);
        all.extend(self.system.as_deref().map(|s| Message::new("system", s)));
        all.extend(self.messages.iter().cloned());
        let text = self.model.apply_chat_template(&all, true)?;
        let ids = self.model.encode(&text)?;
        let fed = self.session.tokens();
        // A session broken by a failed pass (non-finite logits, a lost device) holds state
        // that cannot be trusted: it is reset and the whole conversation fed again.
        let whole = self.session.broken().is_none();
        let new = if whole && ids.len() > fed.len() && ids.starts_with(fed) {
            &ids[fed.len()..]
        } else {
            if !whole {
                tracing::warn!("the session was broken by a failed pass: feeding it again");
            } else if !fed.is_empty() {
                tracing::debug!(
                    fed = fed.len(),
                    "the conversation re-tokenizes differently from the session: feeding it again"
                );
            }
            self.model.engine().reset(&mut self.session)?;
            &ids[..]
        };
        self.model
            .generate_tokens(&mut self.session, new, options, on_text)
    }
}
