#!/usr/bin/env python3
"""attn_peer.py: the attention kernels ft could drive instead of its own (kernels/flash_attn.cu),
timed on the shapes `test_flash --bench` times, in the same call: PyTorch's scaled_dot_product_attention
with each backend it has on this GPU (cuDNN's fused attention, FlashAttention-2 as built into
PyTorch, the memory-efficient kernel). bf16, causal, NH 32 query heads; GQA's 8 key/value heads
are expanded to 32 before timing (not every backend takes GQA). A packed 4 x 1024 row is timed as
a batch of 4 samples of 1024 (the same work). Best of 5 after 3 warm-ups, CUDA events;
FLOPs counted as test_flash counts them: 4 N^2/2 NH HD a sample forward, 2.5 times that backward.

usage: attn_peer.py   (prints one line per shape and backend)"""
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
import torch.nn.functional as F

def timed(fn, reps=5, warm=3):
    for _ in range(warm):
        fn()
    best = None
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        t = a.elapsed_time(b)
        best = t if best is None or t < best else best
    return best

backends = [("cudnn", SDPBackend.CUDNN_ATTENTION), ("flash2 (torch)", SDPBackend.FLASH_ATTENTION),
            ("mem-efficient", SDPBackend.EFFICIENT_ATTENTION)]
print("torch %s, cuDNN %s, %s" % (torch.__version__, torch.backends.cudnn.version(), torch.cuda.get_device_name()))
for nseq, L in ((1, 4096), (4, 1024)):
    for HD in (64, 128):
        g = torch.Generator(device="cuda").manual_seed(0)
        shp = (nseq, 32, L, HD)
        q = (torch.rand(shp, device="cuda", generator=g) * 4 - 2).bfloat16().requires_grad_()
        k = (torch.rand(shp, device="cuda", generator=g) * 4 - 2).bfloat16().requires_grad_()
        v = (torch.rand(shp, device="cuda", generator=g) * 2 - 1).bfloat16().requires_grad_()
        do = (torch.rand(shp, device="cuda", generator=g) * 2 - 1).bfloat16()
        fl = nseq * 4 * L * L / 2 * 32 * HD
        for name, be in backends:
            try:
                with sdpa_kernel([be]):
                    fwd = timed(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
                    def fb():
                        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
                        torch.autograd.grad(o, (q, k, v), do)
                    both = timed(fb)
                bwd = both - fwd
                print("peer %dx%-5d HD%-3d %-15s fwd %7.3f ms %6.1f TF/s  bwd %7.3f ms %6.1f TF/s" %
                      (nseq, L, HD, name, fwd, fl / fwd / 1e9, bwd, 2.5 * fl / bwd / 1e9), flush=True)
            except RuntimeError as e:
                print("peer %dx%-5d HD%-3d %-15s not available: %s" % (nseq, L, HD, name, str(e).splitlines()[0][:100]),
                      flush=True)
