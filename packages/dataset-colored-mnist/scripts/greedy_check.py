"""Independent cross-check (PyTorch, written from docs/method.md, not from the reference code) that
Colored-and-gray MNIST shows greedy learning: two small CNN branches (conv-BN-ReLU-maxpool stages) with an
MMTM after every stage, loss CE0 + CE1, fused = mean of logits; `vanilla`, `guided` (warm-up epoch, log10
conditional learning speed, eps, Q re-balancing steps replacing the helped branch's gate by its running mean)
or `random`. Evaluation always in regular mode. At the end: u(m1|m0), u(m0|m1), d_util from an ablated test
pass with the partner squeezes replaced by their training-split means.

Usage: python3 greedy_check.py data=<dir from export-bin.ts> size=14 strategy=vanilla|guided|random seed=0
       epochs=6 lr=0.05 momentum=0.9 bs=64 ch=16,32 [eps=0.01 Q=5 opt=sgd|adam]
Prints one JSON line per epoch ([fused, gray head, colour head] accuracies) and a final JSON line.
"""
import sys, math, json, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(2)
args = dict(a.split('=') for a in sys.argv[1:])
D = args.get('data', '/tmp/cmx'); S = int(args.get('size', 14)); strategy = args.get('strategy', 'vanilla')
seed = int(args.get('seed', 0)); epochs = int(args.get('epochs', 10)); lr = float(args.get('lr', 0.05))
mom = float(args.get('momentum', 0.9)); bs = int(args.get('bs', 64)); ch = [int(c) for c in args.get('ch', '16,32').split(',')]
eps = float(args.get('eps', 0.01)); Q = int(args.get('Q', 5)); opt_name = args.get('opt', 'sgd')
torch.manual_seed(seed); rs = np.random.RandomState(seed)
def load(split):
    g = np.fromfile(f'{D}/{split}_gray.bin', np.float32).reshape(-1, S, S, 1)
    c = np.fromfile(f'{D}/{split}_color.bin', np.float32).reshape(-1, S, S, 3)
    l = np.fromfile(f'{D}/{split}_labels.bin', np.int32)
    return torch.tensor(g).permute(0, 3, 1, 2).contiguous(), torch.tensor(c).permute(0, 3, 1, 2).contiguous(), torch.tensor(l).long()
tr, va, te = load('train'), load('val'), load('test')

class MMTM(nn.Module):
    def __init__(s, ca, cb, ratio=4):
        super().__init__(); d = int(2 * (ca + cb) / ratio)
        s.sq = nn.Linear(ca + cb, d); s.fa = nn.Linear(d, ca); s.fb = nn.Linear(d, cb)
        s.ra = torch.zeros(ca); s.rb = torch.zeros(cb); s.n = 0
    def forward(s, a, b, mode, means=None, rec=None):
        sa, sb = a.mean((2, 3)), b.mean((2, 3))
        if rec is not None: rec.append((sa.detach(), sb.detach()))
        if mode == 'ablate':
            ga = torch.sigmoid(s.fa(F.relu(s.sq(torch.cat([sa, means[1].expand_as(sb)], 1)))))
            gb = torch.sigmoid(s.fb(F.relu(s.sq(torch.cat([means[0].expand_as(sa), sb], 1)))))
        else:
            z = F.relu(s.sq(torch.cat([sa, sb], 1))); ga = torch.sigmoid(s.fa(z)); gb = torch.sigmoid(s.fb(z))
            s.ra = ((ga.mean(0).detach() + s.n * s.ra) / (s.n + 1)); s.rb = ((gb.mean(0).detach() + s.n * s.rb) / (s.n + 1)); s.n += 1
            if mode == 'reb0': ga = s.ra.expand_as(ga)
            if mode == 'reb1': gb = s.rb.expand_as(gb)
        return a * ga[:, :, None, None], b * gb[:, :, None, None]

class Branch(nn.Module):
    def __init__(s, cin):
        super().__init__(); cs = [cin] + ch
        s.convs = nn.ModuleList([nn.Conv2d(cs[i], cs[i + 1], 3, padding=1, bias=False) for i in range(len(ch))])
        s.bns = nn.ModuleList([nn.BatchNorm2d(c) for c in ch]); s.fc = nn.Linear(ch[-1], 10)
    def stage(s, i, x): return F.max_pool2d(F.relu(s.bns[i](s.convs[i](x))), 2)

class Net(nn.Module):
    def __init__(s):
        super().__init__(); s.b0 = Branch(1); s.b1 = Branch(3); s.mm = nn.ModuleList([MMTM(c, c) for c in ch])
    def forward(s, g, c, mode='regular', means=None, rec=None):
        a, b = g, c
        for i in range(len(ch)):
            a, b = s.b0.stage(i, a), s.b1.stage(i, b)
            a, b = s.mm[i](a, b, mode, means[i] if means else None, rec)
        return s.b0.fc(a.mean((2, 3))), s.b1.fc(b.mean((2, 3)))

net = Net()
groups = {'main0': list(net.b0.parameters()), 'main1': list(net.b1.parameters()),
          'byp0': [p for m in net.mm for p in list(m.fa.parameters()) + list(m.sq.parameters())],
          'byp1': [p for m in net.mm for p in list(m.fb.parameters()) + list(m.sq.parameters())]}
opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=mom) if opt_name == 'sgd' else torch.optim.Adam(net.parameters(), lr=lr)
acc_mu = {k: 0.0 for k in groups}; mode = 'regular'; window = 0; reb_steps = 0; steps = 0; ds_hist = []

def evaluate(data, mode='regular', means=None):
    net.eval(); n = 0; c0 = c1 = cf = 0
    with torch.no_grad():
        for i in range(0, len(data[2]), 1000):
            x0, x1 = net(data[0][i:i + 1000], data[1][i:i + 1000], mode, means)
            y = data[2][i:i + 1000]
            c0 += (x0.argmax(1) == y).sum().item(); c1 += (x1.argmax(1) == y).sum().item(); cf += ((x0 + x1).argmax(1) == y).sum().item()
    net.train(); N = len(data[2]); return cf / N, c0 / N, c1 / N

for ep in range(1, epochs + 1):
    perm = torch.tensor(rs.permutation(len(tr[2])))
    for i in range(0, len(perm), bs):
        idx = perm[i:i + bs]
        x0, x1 = net(tr[0][idx], tr[1][idx], mode)
        loss = F.cross_entropy(x0, tr[2][idx]) + F.cross_entropy(x1, tr[2][idx])
        opt.zero_grad(); loss.backward(); steps += 1
        if strategy == 'guided':
            if mode == 'regular':
                for k, ps in groups.items():
                    g2 = sum((p.grad ** 2).sum().item() for p in ps if p.grad is not None); w2 = sum((p.detach() ** 2).sum().item() for p in ps)
                    acc_mu[k] += g2 / w2
                d = math.log10(acc_mu['byp0'] / acc_mu['main0']) - math.log10(acc_mu['byp1'] / acc_mu['main1']); ds_hist.append(d)
                if ep >= 2 and abs(d) > eps: mode = 'reb0' if d > 0 else 'reb1'; window = 0
            else:
                window += 1; reb_steps += 1
                if window == Q: mode = 'regular'
        elif strategy == 'random' and ep >= 2:
            mode = ['regular', 'reb1', 'reb0'][rs.randint(3)]
        opt.step()
    # evaluation in regular mode (fixed, not the reference's mode leakage)
    tra, vaa, tea = evaluate(tr), evaluate(va), evaluate(te)
    print(json.dumps({'ep': ep, 'train': [round(v, 3) for v in tra], 'val': [round(v, 3) for v in vaa], 'test': [round(v, 3) for v in tea],
                      'd_speed': round(ds_hist[-1], 3) if ds_hist else None, 'reb_frac': round(reb_steps / steps, 2)}), flush=True)

# conditional utilization: squeeze means over the training split, ablated test pass
net.eval(); rec = []
with torch.no_grad():
    for i in range(0, len(tr[2]), 1000): net(tr[0][i:i + 1000], tr[1][i:i + 1000], 'record_only', None, rec)
L = len(ch); means = [(torch.cat([rec[j][0] for j in range(i, len(rec), L)]).mean(0), torch.cat([rec[j][1] for j in range(i, len(rec), L)]).mean(0)) for i in range(L)]
full = evaluate(te); abl = evaluate(te, 'ablate', means)
u10 = (full[1] - abl[1]) / full[1]; u01 = (full[2] - abl[2]) / full[2]
print(json.dumps({'final': {'strategy': strategy, 'seed': seed, 'test_fused': full[0], 'test_gray': full[1], 'test_color': full[2],
      'abl_gray': abl[1], 'abl_color': abl[2], 'u(m1|m0)': round(u10, 3), 'u(m0|m1)': round(u01, 3), 'd_util': round(u10 - u01, 3)}}))
