// Gated DeltaNet's gate formula, shared by deltanet_gates.wgsl and the fused layer input
// (deltanet_input.wgsl), so both compute the same values bit for bit.

// ln(1 + e^x) without overflow: max(x, 0) + ln(1 + e^-|x|).
fn softplus(x: f32) -> f32 {
    return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}

// A value head's gates from its projections: (beta, g) = (sigmoid(b), a_neg * softplus(a +
// dt_bias)), g the log decay (<= 0).
fn deltanet_gate(b: f32, a: f32, a_neg: f32, dt_bias: f32) -> vec2<f32> {
    return vec2<f32>(1.0 / (1.0 + exp(-b)), a_neg * softplus(a + dt_bias));
}
