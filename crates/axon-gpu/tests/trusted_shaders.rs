//! The promises `Gpu::create_kernel_module` makes to wgpu when it compiles the registry's
//! kernels without naga's loop counters and integer-division guards (CPU only: reads the WGSL
//! and naga's IR):
//! - every loop terminates: no `loop` or `while`, and every `for` counts a variable that only
//!   its own header changes, up to a bound or down to zero;
//! - every integer division or remainder has a divisor that cannot be zero: a constant, an
//!   override (workgroup sizes, at least 1 by the registry's checks) or `max(x, c)` with a
//!   constant c > 0.
//!
//! Each check also runs on a deliberately broken source to show it can fail.

use axon_gpu::registry::compose;
use axon_gpu::registry::variants::{ALL_FILES, ALL_VARIANTS};
use naga::valid::{Capabilities, ValidationFlags, Validator};
use naga::{BinaryOperator, Expression, Literal, MathFunction, ScalarKind, TypeInner};

/// The source without `//` comments.
fn code(wgsl: &str) -> String {
    wgsl.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `word` occurs in `text` as a whole identifier.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// Why `wgsl` may hold a loop that does not terminate, one line per finding.
fn loop_findings(wgsl: &str) -> Vec<String> {
    let code = code(wgsl);
    let mut findings = Vec::new();
    for word in ["loop", "while", "continuing"] {
        if has_word(&code, word) {
            findings.push(format!("uses `{word}`"));
        }
    }
    let mut headers = Vec::new();
    for (at, _) in code.match_indices("for (") {
        let Some(end) = code[at..].find(") {") else {
            findings.push(format!("unparsed for at byte {at}"));
            continue;
        };
        headers.push(at..at + end + 1);
    }
    for range in &headers {
        let header = &code[range.start + "for (".len()..range.end - 1];
        let parts: Vec<&str> = header.split(';').map(str::trim).collect();
        let [init, cond, step] = parts[..] else {
            findings.push(format!("for ({header}): not init; condition; step"));
            continue;
        };
        let Some(var) = init
            .strip_prefix("var ")
            .and_then(|r| r.split_once(" = "))
            .map(|(v, _)| v.trim())
        else {
            findings.push(format!("for ({header}): does not declare its counter"));
            continue;
        };
        // Counting up by a positive step to a bound, or halving down to zero.
        let up = (cond.starts_with(&format!("{var} <")) || cond.starts_with(&format!("{var} + ")))
            && (step == format!("{var}++")
                || step
                    .strip_prefix(&format!("{var} += "))
                    .is_some_and(|s| !s.is_empty() && !s.starts_with('-') && s != "0u"));
        let down = cond == format!("{var} > 0u") && step == format!("{var} /= 2u");
        if !up && !down {
            findings.push(format!("for ({header}): not a counted loop"));
        }
        // Nothing but the header changes the counter: the loop's body assigns it nowhere.
        let body_start = range.end;
        let mut depth = 0usize;
        let mut body_end = code.len();
        for (i, c) in code[body_start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        body_end = body_start + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let body = &code[body_start..body_end];
        for op in ["++", "--", " = ", " += ", " -= ", " *= ", " /= ", " %= "] {
            let assigned = body.match_indices(&format!("{var}{op}")).any(|(i, _)| {
                !body[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
            });
            let redeclared =
                body.contains(&format!("var {var} ")) || body.contains(&format!("let {var} "));
            if assigned && !redeclared {
                findings.push(format!("for ({header}): the body assigns `{var}`"));
            }
        }
    }
    findings
}

/// Whether expression `e` of `exprs` is a divisor that cannot be zero.
fn nonzero(
    module: &naga::Module,
    exprs: &naga::Arena<Expression>,
    e: naga::Handle<Expression>,
) -> bool {
    let literal_nonzero = |l: &Literal| match *l {
        Literal::U32(v) => v != 0,
        Literal::I32(v) => v > 0,
        _ => false,
    };
    match exprs[e] {
        Expression::Literal(ref l) => literal_nonzero(l),
        Expression::Constant(c) => match module.global_expressions[module.constants[c].init] {
            Expression::Literal(ref l) => literal_nonzero(l),
            _ => false,
        },
        // Workgroup sizes: the registry refuses a variant without one >= 1.
        Expression::Override(_) => true,
        Expression::Math {
            fun: MathFunction::Max,
            arg,
            arg1: Some(arg1),
            ..
        } => [arg, arg1].iter().any(|&a| match exprs[a] {
            Expression::Literal(ref l) => literal_nonzero(l),
            Expression::Constant(_) => nonzero(module, exprs, a),
            _ => false,
        }),
        _ => false,
    }
}

/// Integer divisions and remainders of `wgsl` whose divisor might be zero.
fn division_findings(wgsl: &str, capabilities: Capabilities) -> Vec<String> {
    let module = naga::front::wgsl::parse_str(wgsl).unwrap();
    let info = Validator::new(ValidationFlags::all(), capabilities)
        .subgroup_stages(naga::valid::ShaderStages::COMPUTE)
        .subgroup_operations(naga::valid::SubgroupOperationSet::all())
        .validate(&module)
        .unwrap();
    let mut findings = Vec::new();
    let functions = module.functions.iter().map(|(h, f)| (f, &info[h])).chain(
        module
            .entry_points
            .iter()
            .enumerate()
            .map(|(i, ep)| (&ep.function, info.get_entry_point(i))),
    );
    for (function, finfo) in functions {
        for (e, expr) in function.expressions.iter() {
            let Expression::Binary { op, right, .. } = *expr else {
                continue;
            };
            if !matches!(op, BinaryOperator::Divide | BinaryOperator::Modulo) {
                continue;
            }
            let integer = match *finfo[e].ty.inner_with(&module.types) {
                TypeInner::Scalar(s) | TypeInner::Vector { scalar: s, .. } => {
                    matches!(s.kind, ScalarKind::Uint | ScalarKind::Sint)
                }
                _ => false,
            };
            if integer && !nonzero(&module, &function.expressions, right) {
                findings.push(format!(
                    "{}: {op:?} by {:?}",
                    function.name.as_deref().unwrap_or("?"),
                    function.expressions[right]
                ));
            }
        }
    }
    findings
}

#[test]
fn every_registered_loop_is_counted() {
    let mut findings = Vec::new();
    for file in ALL_FILES {
        for f in loop_findings(file.text) {
            findings.push(format!("{}: {f}", file.path));
        }
    }
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}

#[test]
fn every_integer_divisor_of_a_registered_kernel_is_nonzero() {
    let mut findings = Vec::new();
    for variant in ALL_VARIANTS {
        let mut caps = Capabilities::default() | Capabilities::SHADER_FLOAT16_IN_FLOAT32;
        if variant.needs.subgroups {
            caps |= Capabilities::SUBGROUP;
        }
        if variant.needs.f16 {
            caps |= Capabilities::SHADER_FLOAT16;
        }
        for f in division_findings(compose(variant.files).text(), caps) {
            findings.push(format!("{}: {f}", variant.name));
        }
    }
    findings.sort();
    findings.dedup();
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}

#[test]
fn the_checks_catch_what_they_look_for() {
    let endless = "fn f() { var i = 0u; loop { i += 1u; } }";
    assert!(!loop_findings(endless).is_empty());
    let reset = "fn f() { for (var i = 0u; i < 4u; i++) { i = 0u; } }";
    assert!(!loop_findings(reset).is_empty());
    let backwards = "fn f() { for (var i = 0u; i < 4u; i -= 1u) { } }";
    assert!(!loop_findings(backwards).is_empty());
    let counted = "fn f() { var s = 0u; for (var i = 0u; i < 4u; i++) { s += i; } }";
    assert_eq!(loop_findings(counted), Vec::<String>::new());

    let caps = Capabilities::default();
    let by_uniform = "struct P { n: u32 } @group(0) @binding(0) var<uniform> p: P;
        @compute @workgroup_size(1) fn main() { let x = 7u / p.n; }";
    assert!(!division_findings(by_uniform, caps).is_empty());
    let guarded = "struct P { n: u32 } @group(0) @binding(0) var<uniform> p: P;
        @compute @workgroup_size(1) fn main() { let x = 7u / max(p.n, 1u); let y = 1.0 / f32(p.n); }";
    assert_eq!(division_findings(guarded, caps), Vec::<String>::new());
}
