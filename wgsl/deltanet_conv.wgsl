// Gated DeltaNet's short causal convolution + SiLU, token by token, with state carried in
// and out. One invocation per channel (channels are independent): no barriers.

struct ConvParams {
    channels: u32,
    kernel: u32,
    tokens: u32,
    _pad: u32,
}

override WG_SIZE: u32 = 64u;

// Causal depthwise conv1d + SiLU.
//   conv_params  uniform
//   conv_w       read  [channels, kernel]; the last tap multiplies the current token
//   conv_state   rw    [kernel - 1, channels]: the previous raw inputs, oldest first
//   conv_x       read  [tokens, channels]
//   conv_y       write [tokens, channels]
@group(0) @binding(0) var<uniform> conv_params: ConvParams;
@group(0) @binding(1) var<storage, read> conv_w: array<f32>;
@group(0) @binding(2) var<storage, read_write> conv_state: array<f32>;
@group(0) @binding(3) var<storage, read> conv_x: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv_y: array<f32>;

fn silu(v: f32) -> f32 {
    return v / (1.0 + exp(-v));
}

@compute @workgroup_size(WG_SIZE)
fn conv1d_silu(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let c = gid.x + gid.y * groups.x * WG_SIZE;
    let ch = conv_params.channels;
    if c >= ch {
        return;
    }
    let k = conv_params.kernel;
    for (var t = 0u; t < conv_params.tokens; t++) {
        let xt = conv_x[t * ch + c];
        var acc = conv_w[c * k + k - 1u] * xt;
        for (var tau = 0u; tau + 1u < k; tau++) {
            acc += conv_w[c * k + tau] * conv_state[tau * ch + c];
        }
        conv_y[t * ch + c] = silu(acc);
        // Shift this channel's history and append the raw input.
        for (var tau = 0u; tau + 2u < k; tau++) {
            conv_state[tau * ch + c] = conv_state[(tau + 1u) * ch + c];
        }
        if k > 1u {
            conv_state[(k - 2u) * ch + c] = xt;
        }
    }
}

