# Prints the PyTorch reference weights that optim_test.cc's *MatchesPyTorch tests hold.
# Run: /usr/bin/python3 tests/optim/torch_reference.py (PyTorch 1.13, Debian)
import torch
torch.set_printoptions(precision=10)
def run(opt_fn, clip=None):
    w = torch.nn.Parameter(torch.tensor([[1.0, -0.5, 0.25], [2.0, -3.0, 0.125]], dtype=torch.float32))
    b = torch.nn.Parameter(torch.tensor([0.5, -0.75], dtype=torch.float32))
    opt = opt_fn([w, b])
    grads = [
      ([[0.5, -0.25, 1.5], [-2.0, 0.75, 0.0]], [0.1, -0.2]),
      ([[-0.25, 0.5, 0.5], [1.0, -1.25, 0.5]], [0.3, 0.05]),
      ([[0.125, 0.0, -1.0], [0.5, 0.25, -0.5]], [-0.4, 0.6]),
    ]
    for gw, gb in grads:
        w.grad = torch.tensor(gw); b.grad = torch.tensor(gb)
        if clip: torch.nn.utils.clip_grad_norm_([w, b], clip)
        opt.step()
    print([f"{x:.9g}" for x in w.detach().flatten().tolist()], [f"{x:.9g}" for x in b.detach().tolist()])
# weight decay only on w: param groups
run(lambda ps: torch.optim.AdamW([{'params':[ps[0]], 'weight_decay':0.1},{'params':[ps[1]], 'weight_decay':0.0}], lr=0.01, betas=(0.9,0.95), eps=1e-8))
run(lambda ps: torch.optim.AdamW([{'params':[ps[0]], 'weight_decay':0.1},{'params':[ps[1]], 'weight_decay':0.0}], lr=0.01, betas=(0.9,0.95), eps=1e-8), clip=1.0)
run(lambda ps: torch.optim.SGD([{'params':[ps[0]], 'weight_decay':0.01},{'params':[ps[1]], 'weight_decay':0.0}], lr=0.1, momentum=0.9))
run(lambda ps: torch.optim.SGD([{'params':[ps[0]], 'weight_decay':0.01},{'params':[ps[1]], 'weight_decay':0.0}], lr=0.1, momentum=0.0), clip=0.5)
