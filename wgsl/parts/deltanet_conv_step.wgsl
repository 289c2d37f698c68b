// Gated DeltaNet's conv step, shared by deltanet_conv.wgsl and the fused layer input
// (deltanet_input.wgsl), so both compute the same values bit for bit.

// One token of the causal depthwise conv1d + SiLU for channel `c` (of `ch`), state carried.
// Needs the including kernel's bindings:
//   conv_w      [ch, k]: the last tap multiplies the current token
//   conv_state  [k - 1, ch]: the previous raw inputs, oldest first (shifted here)
//   conv_x      [tokens, ch]
fn conv_silu_step(c: u32, t: u32, ch: u32, k: u32) -> f32 {
    let xt = conv_x[t * ch + c];
    var acc = conv_w[c * k + k - 1u] * xt;
    for (var tau = 0u; tau + 1u < k; tau++) {
        acc += conv_w[c * k + tau] * conv_state[tau * ch + c];
    }
    // Shift this channel's history and append the raw input.
    for (var tau = 0u; tau + 2u < k; tau++) {
        conv_state[tau * ch + c] = conv_state[(tau + 1u) * ch + c];
    }
    if k > 1u {
        conv_state[(k - 2u) * ch + c] = xt;
    }
    return acc / (1.0 + exp(-acc));
}
