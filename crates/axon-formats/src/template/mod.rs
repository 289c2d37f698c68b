//! Chat templates: the model's Jinja template (`tokenizer.chat_template`) rendered with
//! minijinja the way Hugging Face's `apply_chat_template` renders it with jinja2:
//! `trim_blocks` and `lstrip_blocks`, loop controls, Python string methods (`.startswith`,
//! `.split`, ...), `raise_exception`, `strftime_now`, and a `tojson` that writes like Python's
//! `json.dumps` (`", "`/`": "` separators, no HTML escaping, keys in insertion order).

mod functions;

use minijinja::{Environment, Value};
use serde::Serialize;
use thiserror::Error;

/// A template that does not compile or fails while rendering (including `raise_exception`).
#[derive(Debug, Error)]
#[error("chat template: {0}")]
pub struct TemplateError(String);

impl From<minijinja::Error> for TemplateError {
    fn from(e: minijinja::Error) -> Self {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        Self(text)
    }
}

/// One chat message. Extra fields (tool calls, reasoning) go in `extra` and reach the template
/// as attributes of the message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    /// The text.
    pub content: String,
    /// Any other fields, flattened into the message object.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Message {
    /// A message with only a role and content.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
            extra: serde_json::Map::new(),
        }
    }
}

/// A compiled chat template.
#[derive(Debug)]
pub struct ChatTemplate {
    env: Environment<'static>,
}

const NAME: &str = "chat_template";

impl ChatTemplate {
    /// Compiles `source`.
    pub fn new(source: &str) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?;
        env.set_syntax(syntax);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        functions::install(&mut env);
        env.add_template_owned(NAME, source.to_owned())?;
        Ok(Self { env })
    }

    /// Renders `messages`; `add_generation_prompt` appends the assistant header; `variables`
    /// (a JSON object) adds template variables such as `bos_token`, `eos_token`,
    /// `enable_thinking` or `tools`.
    pub fn render(
        &self,
        messages: &[Message],
        add_generation_prompt: bool,
        variables: &serde_json::Value,
    ) -> Result<String, TemplateError> {
        let mut ctx = serde_json::Map::new();
        if let Some(vars) = variables.as_object() {
            ctx.extend(vars.clone());
        }
        ctx.insert(
            "messages".to_owned(),
            serde_json::to_value(messages).map_err(|e| TemplateError(e.to_string()))?,
        );
        ctx.insert(
            "add_generation_prompt".to_owned(),
            add_generation_prompt.into(),
        );
        let template = self.env.get_template(NAME)?;
        Ok(template.render(Value::from(minijinja::value::Serde(&ctx)))?)
    }
}
