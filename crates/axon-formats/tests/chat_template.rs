//! Chat templates render byte-identically to Hugging Face's `apply_chat_template` (jinja2) for
//! SmolLM2's template (from its GGUF) and the real Qwen3.5 template (fixtures made by
//! scripts/fixtures/tokenizer_fixtures.py).

mod common;

use axon_formats::gguf::GgufFile;
use axon_formats::template::{ChatTemplate, Message};
use serde_json::Value;

fn fixtures() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tokenizer/templates.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn messages(v: &Value) -> Vec<Message> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| Message::new(m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
        .collect()
}

fn check(template: &ChatTemplate, cases: &Value) {
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 4);
    for (i, case) in cases.iter().enumerate() {
        let got = template
            .render(
                &messages(&case["messages"]),
                case["add_generation_prompt"].as_bool().unwrap(),
                &case["variables"],
            )
            .unwrap();
        assert_eq!(
            got,
            case["expected"].as_str().unwrap(),
            "case {i}: {:?}",
            case["variables"]
        );
    }
}

#[test]
fn smollm2_template_matches_transformers() {
    let file = GgufFile::open(common::model("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    let template = ChatTemplate::new(file.get_str("tokenizer.chat_template").unwrap()).unwrap();
    check(&template, &fixtures()["smollm2"]["cases"]);
}

#[test]
fn qwen35_template_matches_transformers() {
    let source = std::fs::read_to_string(common::model("templates/Qwen3.5-4B.jinja")).unwrap();
    let template = ChatTemplate::new(&source).unwrap();
    check(&template, &fixtures()["qwen35"]["cases"]);
}

#[test]
fn raise_exception_is_an_error_not_a_panic() {
    let t = ChatTemplate::new("{% if messages[0].role != 'user' %}{{ raise_exception('first message must be from the user') }}{% endif %}ok").unwrap();
    let err = t
        .render(&[Message::new("system", "x")], false, &Value::Null)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("first message must be from the user"),
        "{err}"
    );
    assert_eq!(
        t.render(&[Message::new("user", "x")], false, &Value::Null)
            .unwrap(),
        "ok"
    );
}

#[test]
fn tojson_writes_like_python_json_dumps() {
    let t = ChatTemplate::new(
        "{{ messages[0] | tojson }}|{{ {'b': 1, 'a': [1, 2]} | tojson(indent=2) }}",
    )
    .unwrap();
    let mut m = Message::new("user", "<b>&'é");
    m.extra
        .insert("tool".into(), serde_json::json!({"z": 1, "a": null}));
    let got = t.render(&[m], false, &Value::Null).unwrap();
    assert_eq!(
        got,
        "{\"role\": \"user\", \"content\": \"<b>&'é\", \"tool\": {\"z\": 1, \"a\": null}}|{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2\n  ]\n}"
    );
}

#[test]
fn loop_controls_and_python_methods() {
    let src = "{% for m in messages %}{% if m.content.startswith('skip') %}{% continue %}{% endif %}{{ m.content.split(' ')[0] | upper }};{% endfor %}";
    let t = ChatTemplate::new(src).unwrap();
    let out = t
        .render(
            &[
                Message::new("user", "hello world"),
                Message::new("user", "skip me"),
                Message::new("user", "bye now"),
            ],
            false,
            &Value::Null,
        )
        .unwrap();
    assert_eq!(out, "HELLO;BYE;");
}

#[test]
fn broken_template_is_an_error() {
    assert!(ChatTemplate::new("{% for m in messages %}").is_err());
}

#[test]
fn qwen3_template_matches_transformers() {
    let config =
        std::fs::read_to_string(common::model("qwen3-tokenizer/tokenizer_config.json")).unwrap();
    let config: Value = serde_json::from_str(&config).unwrap();
    let template = ChatTemplate::new(config["chat_template"].as_str().unwrap()).unwrap();
    check(&template, &fixtures()["qwen3"]["cases"]);
}
