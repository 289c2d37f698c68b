// Gate activations of the fused FFN input (matvec_glu, matmul_glu): kind 0 SiLU, 1 GELU-tanh.

fn gelu_tanh(v: f32) -> f32 {
    // 0.7978845608 = sqrt(2 / pi)
    return 0.5 * v * (1.0 + tanh(0.7978845608 * (v + 0.044715 * v * v * v)));
}

fn gate_activation(g: f32, kind: u32) -> f32 {
    if kind == 1u {
        return gelu_tanh(g);
    }
    return g / (1.0 + exp(-g));
}
