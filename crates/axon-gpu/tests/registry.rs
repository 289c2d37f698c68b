//! CPU-only: every kernel variant the engine can request parses, validates with exactly the
//! capabilities it declares, resolves its overrides and becomes SPIR-V (at its table size and
//! at every size `Reduction::OneSubgroup` can give it); a broken kernel is reported with its
//! file and line; constants that a launcher and its WGSL both use agree.

use axon_gpu::registry::{
    ALL_FILES, ALL_REDUCED_PAIRS, ALL_VARIANTS, CompileStage, KernelVariant, Needs, WgslFile,
    compile_variant, compile_variant_at,
};
use std::collections::HashSet;
use std::path::Path;

#[test]
fn every_variant_compiles_to_spirv() {
    let mut failures = Vec::new();
    for variant in ALL_VARIANTS {
        match compile_variant(variant) {
            Ok(kernel) => {
                assert_eq!(
                    kernel.spirv.first(),
                    Some(&0x0723_0203),
                    "{}: not SPIR-V",
                    variant.name
                );
                assert!(kernel.spirv.len() > 20, "{}", variant.name);
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn variant_names_are_unique() {
    let names: HashSet<&str> = ALL_VARIANTS.iter().map(|v| v.name).collect();
    assert_eq!(names.len(), ALL_VARIANTS.len());
}

#[test]
fn every_wgsl_file_on_disk_is_registered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let registered: HashSet<&str> = ALL_FILES.iter().map(|f| f.path).collect();
    let mut on_disk = Vec::new();
    let mut dirs = vec![root.join("wgsl")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "wgsl") {
                let rel = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                on_disk.push(rel);
            }
        }
    }
    for path in &on_disk {
        assert!(
            registered.contains(path.as_str()),
            "{path} is not in registry::ALL_FILES"
        );
    }
    assert_eq!(on_disk.len(), registered.len());
    for file in ALL_FILES {
        let used = ALL_VARIANTS
            .iter()
            .any(|v| v.files.iter().any(|f| f.path == file.path));
        assert!(used, "{} is used by no variant", file.path);
    }
}

static GOOD_PART: WgslFile = WgslFile {
    path: "wgsl/parts/good.wgsl",
    text: "fn helper() -> f32 {\n    return 1.0;\n}\n",
};
static BROKEN: WgslFile = WgslFile {
    path: "wgsl/broken.wgsl",
    text: "@compute @workgroup_size(1)\nfn main() {\n    let x: f32 = helper() +;\n}\n",
};
static INVALID: WgslFile = WgslFile {
    path: "wgsl/invalid.wgsl",
    text: "@compute @workgroup_size(1)\nfn main(@builtin(subgroup_size) s: u32) {\n\n    let x = subgroupAdd(helper());\n}\n",
};

static BROKEN_FILES: &[&WgslFile] = &[&GOOD_PART, &BROKEN];
static INVALID_FILES: &[&WgslFile] = &[&GOOD_PART, &INVALID];
static GOOD_FILES: &[&WgslFile] = &[&GOOD_PART];

fn variant(name: &'static str, files: &'static [&'static WgslFile]) -> KernelVariant {
    KernelVariant {
        name,
        entry_point: "main",
        files,
        workgroup_size: None,
        power_of_two_workgroup: false,
        needs: Needs::default(),
    }
}

#[test]
fn parse_error_names_the_file_and_line_after_composition() {
    let err = compile_variant(&variant("broken", BROKEN_FILES)).unwrap_err();
    assert_eq!(err.stage, CompileStage::Parse);
    assert!(err.location.starts_with("wgsl/broken.wgsl:3:"), "{err}");
}

#[test]
fn validation_error_names_the_file_and_line_after_composition() {
    let err = compile_variant(&variant("invalid", INVALID_FILES)).unwrap_err();
    assert_eq!(err.stage, CompileStage::Validate, "{err}");
    assert!(err.location.starts_with("wgsl/invalid.wgsl:4:"), "{err}");
}

#[test]
fn subgroup_code_without_the_declared_need_is_rejected() {
    // The workgroup variant must run where subgroups are absent: prove the check would notice.
    static USES_SUBGROUPS: WgslFile = WgslFile {
        path: "wgsl/sneaky.wgsl",
        text: "@compute @workgroup_size(64)\nfn main(@builtin(subgroup_size) s: u32) {\n    let t = subgroupAdd(f32(s));\n}\n",
    };
    static FILES: &[&WgslFile] = &[&USES_SUBGROUPS];
    let err = compile_variant(&variant("sneaky", FILES)).unwrap_err();
    assert_eq!(err.stage, CompileStage::Validate, "{err}");
}

#[test]
fn non_power_of_two_tree_reduction_is_rejected() {
    let v = KernelVariant {
        workgroup_size: Some(96),
        power_of_two_workgroup: true,
        ..variant("odd_tree", GOOD_FILES)
    };
    assert_eq!(
        compile_variant(&v).unwrap_err().stage,
        CompileStage::Declaration
    );
}

/// The workgroup sizes `Reduction::OneSubgroup` can give a kernel: every subgroup size wgpu
/// allows (powers of two from 4 to 128).
fn subgroup_sizes() -> impl Iterator<Item = u32> {
    (2..=7).map(|p| 1u32 << p)
}

#[test]
fn every_sized_variant_compiles_at_every_subgroup_size() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for variant in ALL_VARIANTS.iter().filter(|v| v.workgroup_size.is_some()) {
        for size in subgroup_sizes() {
            checked += 1;
            if let Err(e) = compile_variant_at(variant, Some(size)) {
                failures.push(format!("at WG_SIZE {size}: {e}"));
            }
        }
    }
    assert!(checked > 100, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_size_for_a_fixed_size_kernel_is_rejected() {
    let fixed = ALL_VARIANTS
        .iter()
        .find(|v| v.workgroup_size.is_none())
        .unwrap();
    assert_eq!(
        compile_variant_at(fixed, Some(16)).unwrap_err().stage,
        CompileStage::Declaration
    );
}

#[test]
fn reduction_pairs_differ_only_in_their_reduction_part() {
    let reduce = |v: &KernelVariant| {
        v.files
            .iter()
            .filter(|f| f.path.starts_with("wgsl/parts/reduce_"))
            .map(|f| f.path)
            .collect::<Vec<_>>()
    };
    let rest = |v: &KernelVariant| {
        v.files
            .iter()
            .filter(|f| !f.path.starts_with("wgsl/parts/reduce_"))
            .map(|f| f.path)
            .collect::<Vec<_>>()
    };
    for pair in ALL_REDUCED_PAIRS {
        let (sg, wg) = (pair.subgroup, pair.workgroup);
        assert_eq!(sg.entry_point, wg.entry_point, "{}", sg.name);
        assert_eq!(sg.workgroup_size, wg.workgroup_size, "{}", sg.name);
        assert!(sg.workgroup_size.is_some(), "{}", sg.name);
        assert_eq!(
            reduce(sg),
            ["wgsl/parts/reduce_subgroup.wgsl"],
            "{}",
            sg.name
        );
        assert_eq!(
            reduce(wg),
            ["wgsl/parts/reduce_workgroup.wgsl"],
            "{}",
            wg.name
        );
        assert_eq!(rest(sg), rest(wg), "{}", sg.name);
        assert!(sg.needs.subgroups && !wg.needs.subgroups, "{}", sg.name);
    }
    // Every variant with the subgroup reduction part belongs to a pair.
    for v in ALL_VARIANTS {
        if reduce(v) == ["wgsl/parts/reduce_subgroup.wgsl"] {
            assert!(
                ALL_REDUCED_PAIRS
                    .iter()
                    .any(|p| std::ptr::eq(p.subgroup, *v)),
                "{} is in no reduction pair",
                v.name
            );
        }
    }
}

/// The naga module of a registered variant's composed source.
fn module(variant: &KernelVariant) -> naga::Module {
    naga::front::wgsl::parse_str(axon_gpu::registry::compose(variant.files).text()).unwrap()
}

/// The value of the u32 `const` named `name` in `module`.
fn const_u32(module: &naga::Module, name: &str) -> u32 {
    let (_, constant) = module
        .constants
        .iter()
        .find(|(_, c)| c.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no const {name}"));
    match module.global_expressions[constant.init] {
        naga::Expression::Literal(naga::Literal::U32(v)) => v,
        ref other => panic!("const {name} is {other:?}, not a u32 literal"),
    }
}

/// The fixed workgroup size of `entry` in `module`.
fn workgroup_size(module: &naga::Module, entry: &str) -> [u32; 3] {
    let ep = module
        .entry_points
        .iter()
        .find(|e| e.name == entry)
        .unwrap_or_else(|| panic!("no entry point {entry}"));
    assert!(
        ep.workgroup_size_overrides.is_none(),
        "{entry} uses WG_SIZE"
    );
    ep.workgroup_size
}

/// Constants both a launcher and its WGSL need (sizes of function and workgroup arrays, so
/// WGSL `const`s rather than overrides) hold the same number on both sides.
#[test]
fn constants_shared_by_rust_and_wgsl_agree() {
    use axon_gpu::kernels::{attention_prefill, deltanet, top_k};
    use axon_gpu::registry::variants::{
        ARGMAX_SLICES, ATTN_PREFILL, ATTN_SPLIT, DECODE_CHUNK, DECODE_MAX_HEAD_DIM,
        DELTANET_CHUNKED, DELTANET_RULE, MATMUL_GLU_Q4_K, MATMUL_TILE, MATVEC_ROWS, TOP_K_F32,
    };
    for pair in ALL_REDUCED_PAIRS
        .iter()
        .filter(|p| p.subgroup.name.starts_with("matvec"))
    {
        for v in [pair.subgroup, pair.workgroup] {
            let m = module(v);
            assert_eq!(const_u32(&m, "ROWS"), MATVEC_ROWS, "{}", v.name);
            // `matvec_columns` specialises every matrix-vector pipeline's COLUMNS, up to
            // the accumulators' MAX_COLUMNS.
            assert_eq!(
                const_u32(&m, "MAX_COLUMNS") as usize,
                axon_gpu::kernels::matvec::MATVEC_MAX_COLUMNS,
                "{}",
                v.name
            );
            assert!(
                m.overrides
                    .iter()
                    .any(|(_, o)| o.name.as_deref() == Some("COLUMNS")),
                "{}: no COLUMNS override",
                v.name
            );
        }
    }

    let argmax = module(&ARGMAX_SLICES);
    assert_eq!(
        const_u32(&argmax, "SLICE_LEN") as usize,
        axon_gpu::kernels::argmax::ARGMAX_SLICE
    );

    let split = module(&ATTN_SPLIT);
    assert_eq!(const_u32(&split, "CHUNK"), DECODE_CHUNK);
    let threads = const_u32(&split, "THREADS");
    assert_eq!(threads, DECODE_CHUNK * const_u32(&split, "PARTS"));
    assert_eq!(workgroup_size(&split, "attn_split"), [threads, 1, 1]);
    assert_eq!(threads * const_u32(&split, "DIMS"), DECODE_MAX_HEAD_DIM);
    assert_eq!(const_u32(&split, "MAX_HEAD_DIM"), DECODE_MAX_HEAD_DIM);
    assert_eq!(
        const_u32(&split, "MAX_SPLITS") as usize,
        axon_gpu::kernels::attention::MAX_SPLITS
    );

    let matmul = module(&MATMUL_GLU_Q4_K);
    assert_eq!(const_u32(&matmul, "TILE"), MATMUL_TILE);
    let threads = const_u32(&matmul, "THREADS");
    for entry in ["matmul", "matmul_glu"] {
        let [x, y, z] = workgroup_size(&matmul, entry);
        assert_eq!(x * y * z, threads, "{entry}");
        assert_eq!(x * 4, MATMUL_TILE, "{entry}: 4 x 4 outputs per invocation");
    }

    let prefill = module(&ATTN_PREFILL);
    assert_eq!(
        const_u32(&prefill, "MAX_HEAD_DIM") as usize,
        attention_prefill::MAX_HEAD_DIM
    );
    assert_eq!(
        const_u32(&prefill, "Q_TILE") as usize,
        attention_prefill::Q_TILE
    );
    let threads = const_u32(&prefill, "THREADS");
    assert_eq!(workgroup_size(&prefill, "attn_prefill"), [threads, 1, 1]);
    assert_eq!(
        const_u32(&prefill, "DIMS") * threads,
        const_u32(&prefill, "MAX_HEAD_DIM"),
        "every head dimension has an owner"
    );

    let rule = module(&DELTANET_RULE);
    assert_eq!(
        const_u32(&rule, "RULE_THREADS") as usize,
        deltanet::RULE_THREADS
    );
    assert_eq!(const_u32(&rule, "RULE_ROWS") as usize, deltanet::RULE_ROWS);
    assert_eq!(
        (const_u32(&rule, "RULE_MAX_SLICES") * const_u32(&rule, "RULE_ROWS")) as usize,
        deltanet::RULE_MAX_DK
    );
    assert_eq!(
        workgroup_size(&rule, "delta_rule"),
        [const_u32(&rule, "RULE_THREADS"), 1, 1]
    );

    let chunked = module(&DELTANET_CHUNKED);
    assert_eq!(
        const_u32(&chunked, "MAX_DK") as usize,
        deltanet::CHUNKED_MAX_DK
    );
    assert_eq!(
        const_u32(&chunked, "CHUNK") as usize,
        deltanet::CHUNK_TOKENS
    );

    assert_eq!(
        const_u32(&module(&TOP_K_F32), "PER_THREAD") as usize,
        top_k::PER_THREAD
    );
}

/// Every weight-format part (`wgsl/parts/quant/<format>.wgsl`, `wgsl/parts/wide/<format>.wgsl`)
/// covers the values the
/// launchers think it does (`matvec::kernel_block_len`, whose multiple `matvec` requires of a
/// row) in the bytes the file format gives them (`GgmlType::block_bytes` per
/// `block_len` values), in every variant that composes it (matvec, matvec_glu, matmul,
/// matmul_glu, gather).
#[test]
fn weight_format_parts_agree_with_the_launchers_and_the_file_format() {
    use axon_gpu::kernels::matvec::{MATVEC_TYPES, aligned_block_len, kernel_block_len};
    use axon_gpu::kernels::matvec_q8::MATVEC_Q8_TYPES;
    let mut checked = 0;
    for variant in ALL_VARIANTS {
        let Some(part) = variant.files.iter().find(|f| {
            f.path.starts_with("wgsl/parts/quant/") || f.path.starts_with("wgsl/parts/wide/")
        }) else {
            continue;
        };
        let name = part
            .path
            .trim_start_matches("wgsl/parts/quant/")
            .trim_start_matches("wgsl/parts/wide/")
            .trim_end_matches(".wgsl");
        let ty = *MATVEC_TYPES
            .iter()
            .find(|t| t.name().to_lowercase() == name)
            .unwrap_or_else(|| panic!("{}: no format named {name}", variant.name));
        let m = module(variant);
        let (len, body) = (const_u32(&m, "BLOCK_LEN"), const_u32(&m, "BLOCK_BYTES"));
        // Split layouts (kernels/repack.rs) keep each block's head apart from its body, in
        // slots of HEAD_STRIDE bytes.
        let stride = m
            .constants
            .iter()
            .any(|(_, c)| c.name.as_deref() == Some("HEAD_STRIDE"))
            .then(|| const_u32(&m, "HEAD_STRIDE") as usize);
        let split = axon_gpu::kernels::repack::split_block(ty);
        assert_eq!(
            stride,
            split.map(|s| s.head_stride),
            "{}: split exactly where the upload splits",
            variant.name
        );
        let bytes = body as usize + split.map_or(0, |s| s.head_bytes);
        // F16 and BF16 have a wide part besides their general one, for aligned rows.
        let wide = part.path.starts_with("wgsl/parts/wide/");
        let launcher = if wide {
            aligned_block_len(ty).or(kernel_block_len(ty))
        } else {
            kernel_block_len(ty)
        };
        assert_eq!(Some(len as usize), launcher, "{}", variant.name);
        assert!(
            (len as usize).is_multiple_of(ty.block_len()),
            "{}",
            variant.name
        );
        assert_eq!(
            bytes,
            len as usize / ty.block_len() * ty.block_bytes(),
            "{}: bytes per part block",
            variant.name
        );
        checked += 1;
    }
    // matvec and matvec_glu, plain and with folds, in both reductions; matmul, matmul_glu,
    // gather; matvec_q8 and matvec_glu_q8 in both reductions for their formats. Besides, the aligned F16 and BF16 matvec and matvec_glu, plain and with folds, in both
    // reductions.
    let aligned = MATVEC_TYPES
        .iter()
        .filter(|&&t| aligned_block_len(t).is_some())
        .count();
    assert_eq!(
        checked,
        MATVEC_TYPES.len() * 11 + MATVEC_Q8_TYPES.len() * 4 + aligned * 8
    );
}

/// docs/KERNELS.md has a family heading (or, for a part, an entry in its "Parts" list) for
/// every WGSL file compiled into the binary.
#[test]
fn every_wgsl_file_has_a_section_in_kernels_md() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/KERNELS.md"),
    )
    .unwrap();
    let entries: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("### ") || l.starts_with("- `"))
        .collect();
    for file in ALL_FILES {
        let name = file.path.trim_start_matches("wgsl/");
        let documented = if name.starts_with("parts/quant/") {
            entries.iter().any(|l| l.contains("quant/<format>.wgsl"))
        } else if name.starts_with("parts/wide/") {
            entries.iter().any(|l| l.contains("wide/<format>.wgsl"))
        } else if name.starts_with("parts/wide_q8/") {
            entries.iter().any(|l| l.contains("wide_q8/<format>.wgsl"))
        } else {
            let base = name.trim_start_matches("parts/");
            entries.iter().any(|l| l.contains(base))
        };
        assert!(
            documented,
            "docs/KERNELS.md has no section for {}",
            file.path
        );
    }
}
