//! Where the executor finds weights: by the names the plan builder uses (`token_embd`,
//! `blk.N.attn_qkv`, `blk.N.ffn_gate_up`, ...).

use axon_gpu::DeviceBuffer;
use axon_gpu::kernels::matvec::QuantMatrix;

/// A model's weights on the device, looked up by plan name.
pub trait DeviceWeights {
    /// A weight matrix (projections, embeddings).
    fn matrix(&self, name: &str) -> Option<&QuantMatrix>;
    /// A weight vector (norm weights), f32.
    fn vector(&self, name: &str) -> Option<&DeviceBuffer>;

    /// Bytes of `name` on the device, either kind.
    fn bytes(&self, name: &str) -> Option<u64> {
        self.matrix(name)
            .map(QuantMatrix::byte_len)
            .or_else(|| self.vector(name).map(DeviceBuffer::byte_len))
    }
}

impl DeviceWeights for axon_models::weights::ModelWeights {
    fn matrix(&self, name: &str) -> Option<&QuantMatrix> {
        axon_models::weights::ModelWeights::matrix(self, name)
    }

    fn vector(&self, name: &str) -> Option<&DeviceBuffer> {
        axon_models::weights::ModelWeights::vector(self, name)
    }
}
