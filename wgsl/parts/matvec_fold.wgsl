// The matrix-vector kernels' x loads and row stores with folds (`matvec_fold_<format>`
// variants; flags in the kernel's params): NORM, x is a residual stream to RMS-normalise with
// norm_w and eps first; ACCUMULATE, add the product to y instead of storing it. The twin without
// folds is parts/matvec_plain.wgsl. Folds take one input vector (COLUMNS = 1: the launcher
// asks for more only without folds), so x and y are addressed without `column`.
//
// Extra binding:
//   norm_w  read  [cols] (as the kernel's x): with NORM, y = inverseSqrt(mean(x^2) + eps) *
//                 W (x * norm_w), the RMSNorm before a projection folded in (without NORM any
//                 buffer: x itself)

const NORM: u32 = 1u;
const ACCUMULATE: u32 = 2u;

@group(0) @binding(4) var<storage, read> norm_w: array<XValue>;

// With NORM, the squares of the x values this invocation loaded (each value of x is loaded
// once per workgroup, whatever its rows, so the workgroup's sum is the whole vector's).
var<private> x_squares: f32;

// x at `i` as the dot products take it: times the norm weight with NORM (the norm's inverse
// root multiplies the finished sums instead: RMSNorm(x) . w = r * (x * g) . w).
fn load_x(i: u32) -> XValue {
    let v = x[i];
    if (params.flags & NORM) != 0u {
        x_squares += squares(v);
        return v * norm_w[i];
    }
    return v;
}

// The factor the sums take: inverseSqrt(mean(x^2) + eps) with NORM, else 1 (every invocation
// reaches it: it has barriers).
fn norm_scale(ids: ReduceIds) -> f32 {
    if (params.flags & NORM) == 0u {
        return 1.0;
    }
    let total = workgroup_sum(x_squares, ids);
    return inverseSqrt(total / f32(max(params.cols, 1u)) + params.eps);
}

// Stores row `row`'s value, or adds it to y's with ACCUMULATE.
fn store_row(row: u32, value: f32) {
    if (params.flags & ACCUMULATE) != 0u {
        y[row] = y[row] + value;
    } else {
        y[row] = value;
    }
}
