// Gated DeltaNet's short causal convolution + SiLU, token by token, with state carried in
// and out. One invocation per channel (channels are independent): no barriers. Needs
// parts/deltanet_conv_step.wgsl (the step itself).

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
    for (var t = 0u; t < conv_params.tokens; t++) {
        conv_y[t * ch + c] = conv_silu_step(c, t, ch, conv_params.kernel);
    }
}
