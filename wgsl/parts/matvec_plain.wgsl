// The matrix-vector kernels' x loads and row stores as they are: no norm folded in, stores not
// added (`matvec_<format>` variants). The twin, parts/matvec_fold.wgsl, defines the same
// functions with the folds; the kernels call these, so the plain variants carry no branch for
// what they do not fold.

// The current column's x at `i`.
fn load_x(i: u32) -> XValue {
    return x[column_x() + i];
}

// The factor the finished sums take: 1.
fn norm_scale(ids: ReduceIds) -> f32 {
    return 1.0;
}

// Stores row `row`'s value of the current column.
fn store_row(row: u32, value: f32) {
    y[column * params.rows + row] = value;
}
