"""The model catalog: the architecture facts vLLM sizing needs, for widely served open models.

Each entry cites where its numbers come from: the model's own `config.json` fields
(`num_hidden_layers`, `num_attention_heads`, `num_key_value_heads`, `head_dim`,
`max_position_embeddings`, `sliding_window`/`layer_types`, `kv_lora_rank`, `quantization_config`) or
the publisher's reference code at a commit. `weights_gb` is what vLLM downloads at the checkpoint's
own precision: only the files `model.safetensors.index.json` lists (vllm@v0.33.0
vllm/model_executor/model_loader/weight_utils.py:479-497), never `original/`. Figures marked
"unverified" rest on the publisher's stated parameter count times the bytes per parameter.

A model outside the catalog is described in the stack (`models.<name>.size`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

from .sizing import Architecture, Mla, SlidingWindow

Dtype = Literal["bf16", "fp8", "mxfp4"]
PRECISION_BYTES: Mapping[str, float] = {"bf16": 2.0, "fp8": 1.0}


@dataclass(frozen=True)
class ModelInfo:
    """What sizing and the pod need to know about a model's checkpoint."""

    id: str
    params_b: float
    """Parameters in billions (all experts for a mixture of experts)."""
    layers: int
    attention_heads: int
    """Query heads; tensor parallelism must divide them (vllm@v0.33.0 vllm/config/model.py:1557-1564)."""
    kv_heads: int
    head_dim: int
    context: int
    """`max_position_embeddings`: the longest `--max-model-len` vLLM accepts without rope overrides."""
    dtype: Dtype
    """The checkpoint's weights: bf16, fp8 (block- or tensor-scaled) or mxfp4 (the experts of gpt-oss)."""
    weights_gb: float
    """GB (1e9 bytes) vLLM downloads and loads, at `dtype`."""
    gated: bool
    """Hugging Face requires an accepted licence and a token to download it."""
    mla: Mla | None = None
    sliding: SlidingWindow | None = None

    def weights_at(self, precision: str) -> float:
        """GB of weights at `precision`: the checkpoint's own, or bf16 quantised online to fp8 (half)."""
        if precision in ("native", self.dtype):
            return self.weights_gb
        if precision == "fp8" and self.dtype == "bf16":
            return round(self.weights_gb / 2, 1)
        raise ValueError(f"{self.id} ships {self.dtype} weights; valid precision: native")

    def architecture(self, precision: str = "native") -> Architecture:
        return Architecture(
            self.layers, self.kv_heads, self.head_dim, self.weights_at(precision),
            attention_heads=self.attention_heads, mla=self.mla, sliding=self.sliding,
        )


def _llama(id_: str, params_b: float, layers: int, heads: int, weights_gb: float, dtype: Dtype = "bf16") -> ModelInfo:
    # meta-llama/llama-models@1768925 models/llama3_1/api/sku_list.py: n_layers, n_heads, n_kv_heads 8,
    # dim / n_heads = 128, CONTEXT_LENGTH 131072; weights from shared/reference/vllm.md.
    return ModelInfo(id_, params_b, layers, heads, 8, 128, 131072, dtype, weights_gb, gated=True)


_DEEPSEEK = dict(
    params_b=671.0, layers=61, attention_heads=128, kv_heads=128,
    head_dim=192,  # qk_nope_head_dim 128 + qk_rope_head_dim 64 of the queries; the KV cache holds the MLA latent
    context=163840, dtype="fp8", weights_gb=689.0, gated=False, mla=Mla(kv_lora_rank=512, rope_dim=64),
)
"""deepseek-ai/DeepSeek-V3@9b4e978 inference/configs/config_671B.json:6-7,16-21 (61 layers, 128 heads,
kv_lora_rank 512, qk_rope_head_dim 64, dtype fp8); README.md:94-99 "we only provide FP8 weights";
config.json max_position_embeddings 163840, quantization_config fp8 block 128x128. R1 shares the
architecture. Download ~689 GB: unverified (671B + 14B MTP at one byte plus scales)."""

MODELS: Mapping[str, ModelInfo] = {
    m.id: m
    for m in (
        _llama("meta-llama/Llama-3.1-8B-Instruct", 8.0, 32, 32, 16.1),
        _llama("meta-llama/Llama-3.1-70B-Instruct", 70.6, 80, 64, 141.0),
        _llama("meta-llama/Llama-3.3-70B-Instruct", 70.6, 80, 64, 141.0),  # the 3.1-70B architecture (vllm.md)
        _llama("meta-llama/Llama-3.1-405B-Instruct", 405.0, 126, 128, 812.0),
        # CheckpointQuantizationFormat.fp8_mixed (sku_list.py); vLLM logs "Loading model weights took
        # 57.7520 GB" per GPU at TP 8 (vllm-project/vllm#6746): 8 x 57.75 GiB = 496 GB.
        _llama("meta-llama/Llama-3.1-405B-Instruct-FP8", 405.0, 126, 128, 496.0, dtype="fp8"),
        # Qwen3 Technical Report Table 1 (QwenLM/Qwen3@7a2f61f, p.3): layers, Q/KV heads; config.json
        # head_dim 128, max_position_embeddings 40960 (128K only with YaRN rope scaling).
        ModelInfo("Qwen/Qwen3-8B", 8.2, 36, 32, 8, 128, 40960, "bf16", 16.4, gated=False),
        ModelInfo("Qwen/Qwen3-32B", 32.8, 64, 64, 8, 128, 40960, "bf16", 65.6, gated=False),
        # Report Table 2: 94 layers, 64/4 heads, 128 experts with 8 active.
        ModelInfo("Qwen/Qwen3-235B-A22B", 235.0, 94, 64, 4, 128, 40960, "bf16", 470.0, gated=False),
        # config.json: hidden 3584, 28 layers, 28/4 heads, max_position_embeddings 32768, use_sliding_window false.
        ModelInfo("Qwen/Qwen2.5-7B-Instruct", 7.6, 28, 28, 4, 128, 32768, "bf16", 15.2, gated=False),
        # config.json: hidden 8192, 80 layers, 64/8 heads, 32768, use_sliding_window false.
        ModelInfo("Qwen/Qwen2.5-72B-Instruct", 72.7, 80, 64, 8, 128, 32768, "bf16", 145.0, gated=False),
        # huggingface.co/mistralai/Mistral-7B-Instruct-v0.3 config.json (32 layers, 32/8, head_dim 128,
        # 32768, sliding_window null); the repo page asks to accept the terms. Only consolidated.safetensors.
        ModelInfo("mistralai/Mistral-7B-Instruct-v0.3", 7.25, 32, 32, 8, 128, 32768, "bf16", 14.5, gated=True),
        # huggingface.co/mistralai/Mixtral-8x7B-Instruct-v0.1 config.json (32 layers, 32/8, 32768, 8 experts,
        # sliding_window null); gated and ~93 GB (46.7B x 2 bytes) unverified.
        ModelInfo("mistralai/Mixtral-8x7B-Instruct-v0.1", 46.7, 32, 32, 8, 128, 32768, "bf16", 93.4, gated=True),
        # openai/gpt-oss@7b58334 gpt_oss/torch/model.py:14-27 (36 layers, 64/8 heads, head_dim 64,
        # sliding_window 128, 4096 x YaRN 32), :188 (even layers slide: 18 of 36); MXFP4 experts; 65.3 GB.
        ModelInfo("openai/gpt-oss-120b", 117.0, 36, 64, 8, 64, 131072, "mxfp4", 65.3, gated=False,
                  sliding=SlidingWindow(window=128, layers=18)),
        # config.json: 24 layers, 32 experts, alternating sliding/full layer_types; README.md:19 "within
        # 16GB of memory"; 13.8 GB unverified.
        ModelInfo("openai/gpt-oss-20b", 21.0, 24, 64, 8, 64, 131072, "mxfp4", 13.8, gated=False,
                  sliding=SlidingWindow(window=128, layers=12)),
        ModelInfo("deepseek-ai/DeepSeek-V3", **_DEEPSEEK),  # type: ignore[arg-type]
        ModelInfo("deepseek-ai/DeepSeek-R1", **_DEEPSEEK),  # type: ignore[arg-type]
        # google-deepmind/gemma@7691fd4 gemma/gm/nn/_gemma.py:36-46,286-311 (62 layers, 32/16 heads,
        # head_dim 128, sliding_window_size 1024), _config.py:31-42 (5 local : 1 global, so 52 sliding);
        # gated (Gemma terms); ~55 GB unverified (27.4B x 2 bytes, with the vision tower).
        ModelInfo("google/gemma-3-27b-it", 27.4, 62, 32, 16, 128, 131072, "bf16", 54.9, gated=True,
                  sliding=SlidingWindow(window=1024, layers=52)),
        # config.json of microsoft/phi-4 (hidden 5120, 40 layers, 40/10 heads, 16384); MIT licence, not gated.
        ModelInfo("microsoft/phi-4", 14.7, 40, 40, 10, 128, 16384, "bf16", 29.3, gated=False),
    )
}
