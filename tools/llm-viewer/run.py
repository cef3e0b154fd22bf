"""Runs LLM-Viewer's roofline analysis (hahnyuan/LLM-Viewer) on Llama-2-7B and writes every layer's numbers
at full precision, for data/peers/llm-viewer.csv. Our own driver: it imports LLM-Viewer's ModelAnalyzer from a
checkout given on the command line and calls its documented analyze(); none of LLM-Viewer's code is here.

    python3 -m venv /tmp/llmv && /tmp/llmv/bin/pip install transformers==4.46.3 easydict
    /tmp/llmv/bin/python tools/llm-viewer/run.py /path/to/LLM-Viewer > data/peers/llm-viewer.csv

The model's shape comes from a local config.json (no network): the values of meta-llama/Llama-2-7b-hf's
published config (hidden 4096, FFN 11008, 32 heads, 32 key/value heads, 32 layers, vocabulary 32000).
"""
import contextlib, json, os, sys, tempfile

checkout = os.path.abspath(sys.argv[1])
sys.path.insert(0, checkout)
os.chdir(checkout)  # LLM-Viewer imports its configs/ by relative module path
from model_analyzer import ModelAnalyzer  # noqa: E402

LLAMA2_7B = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 4096,
             "intermediate_size": 11008, "num_attention_heads": 32, "num_key_value_heads": 32,
             "num_hidden_layers": 32, "vocab_size": 32000, "max_position_embeddings": 4096,
             "rms_norm_eps": 1e-5, "hidden_act": "silu", "tie_word_embeddings": False}
SETTINGS = [("nvidia_A6000", 1, 1024), ("nvidia_A100_40G", 1, 1024), ("nvidia_A100_40G", 8, 2048)]
FIELDS = ["OPs", "memory_access", "load_weight", "load_act", "store_act", "load_kv_cache", "store_kv_cache",
          "arithmetic_intensity", "bound", "inference_time"]

with tempfile.TemporaryDirectory() as tmp:
    model_dir = os.path.join(tmp, "meta-llama", "Llama-2-7b-hf")
    os.makedirs(model_dir)
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(LLAMA2_7B, f)
    print("hardware,batch,seqlen,stage,layer," + ",".join(FIELDS))
    for hardware, batch, seqlen in SETTINGS:
        with contextlib.redirect_stdout(sys.stderr):  # it prints which config file it uses
            analyzer = ModelAnalyzer(model_dir, hardware, config_file="configs/Llama.py")
        results = analyzer.analyze(seqlen=seqlen, batchsize=batch, w_bit=16, a_bit=16, kv_bit=16)
        for stage in ("prefill", "decode"):
            for layer, r in results[stage].items():
                values = [r[k] if isinstance(r[k], str) else "%.17g" % r[k] for k in FIELDS]
                print(f"{hardware},{batch},{seqlen},{stage},{layer}," + ",".join(values))
