"""The benchmark's models in PyTorch, layer for layer as tools/bench/models.ts (same parameter counts,
padding, batch-statistics batch norm, Adam 1e-3), for the tfjs/PyTorch ratios of `npm run bench`.

usage: /usr/bin/python3 torch_bench.py <workload> <threads> <warmup> <steps> [quick]
Prints one JSON line. Debian's python3-torch (1.13) is what the project's machines have.
"""
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride, pad):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm2d(cout))


class CnnBranch(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([conv_bn(3, 32, 3, 1, 1), conv_bn(32, 64, 3, 1, 1), conv_bn(64, 128, 3, 1, 1)])
        self.head = nn.Linear(4 * 4 * 128, 10)

    def forward(self, x):
        for c in self.convs:
            x = F.max_pool2d(F.relu(c(x)), 2)
        # tfjs flattens NHWC; the order does not change the cost.
        return self.head(torch.flatten(x, 1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = conv_bn(cin, cout, 3, stride, 1)
        self.c2 = conv_bn(cout, cout, 3, 1, 1)
        self.down = conv_bn(cin, cout, 1, stride, 0) if stride != 1 or cin != cout else None

    def forward(self, x):
        out = self.c2(F.relu(self.c1(x)))
        return F.relu(out + (x if self.down is None else self.down(x)))


class ResNet18Trunk(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 64, 7, 2, 3)
        layers, cin = [], 64
        for i, cout in enumerate([64, 128, 256, 512]):
            blocks = []
            for j in range(2):
                blocks.append(BasicBlock(cin, cout, 2 if i > 0 and j == 0 else 1))
                cin = cout
            layers.append(nn.Sequential(*blocks))
        self.layers = nn.ModuleList(layers)

    def stage(self, x, i):
        if i == 0:
            x = F.max_pool2d(F.relu(self.stem(x)), 3, 2, 1)
        return self.layers[i](x)


class ResNet18(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.trunk = ResNet18Trunk()
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        for i in range(4):
            x = self.trunk.stage(x, i)
        return self.fc(x.mean((2, 3)))


class MMTM(nn.Module):
    def __init__(self, ca, cb, ratio=4):
        super().__init__()
        d = int(2 * (ca + cb) / ratio)
        self.fc_squeeze = nn.Linear(ca + cb, d)
        self.fc_a = nn.Linear(d, ca)
        self.fc_b = nn.Linear(d, cb)

    def forward(self, a, b):
        z = F.relu(self.fc_squeeze(torch.cat([a.mean((2, 3)), b.mean((2, 3))], 1)))
        ga = torch.sigmoid(self.fc_a(z))
        gb = torch.sigmoid(self.fc_b(z))
        return a * ga[:, :, None, None], b * gb[:, :, None, None]


class MMTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunks = nn.ModuleList([ResNet18Trunk(), ResNet18Trunk()])
        self.fusions = nn.ModuleList([MMTM(c, c) for c in (128, 256, 512)])
        self.heads = nn.ModuleList([nn.Linear(512, 40), nn.Linear(512, 40)])

    def forward(self, xs):
        for i in range(4):
            xs = [t.stage(x, i) for t, x in zip(self.trunks, xs)]
            if i > 0:
                xs = list(self.fusions[i - 1](*xs))
        return [h(x.mean((2, 3))) for h, x in zip(self.heads, xs)]


class Video(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(3, 32, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm3d(32)

    def forward(self, x):
        return F.max_pool3d(F.relu(self.bn(self.conv(x))), 2)


def workload(name, quick):
    g = torch.Generator().manual_seed(0)
    if name == 'cnn2':
        b = 16 if quick else 64
        model = nn.ModuleList([CnnBranch(), CnnBranch()])
        xs = [torch.randn(b, 3, 32, 32, generator=g) for _ in range(2)]
        ys = [torch.randint(0, 10, (b,), generator=g) for _ in range(2)]
        return model, lambda: sum(F.cross_entropy(m(x), y) for m, x, y in zip(model, xs, ys))
    if name == 'resnet18':
        b, hw = (4, 64) if quick else (8, 112)
        model = ResNet18(10)
        x, y = torch.randn(b, 3, hw, hw, generator=g), torch.randint(0, 10, (b,), generator=g)
        return model, lambda: F.cross_entropy(model(x), y)
    if name == 'video':
        shape = (1, 3, 4, 28, 28) if quick else (2, 3, 8, 56, 56)
        model = Video()
        x = torch.randn(*shape, generator=g)
        return model, lambda: model(x).pow(2).mean()
    if name in ('mmtm', 'mmtm224'):
        b, hw = (4, 64) if quick else (8, 224 if name == 'mmtm224' else 112)
        model = MMTMNet()
        xs = [torch.randn(b, 3, hw, hw, generator=g) for _ in range(2)]
        ys = [torch.randint(0, 40, (b,), generator=g) for _ in range(2)]
        return model, lambda: sum(F.cross_entropy(o, y) for o, y in zip(model(xs), ys))
    raise SystemExit(f'unknown workload {name}')


def main():
    name, threads, warmup, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    quick = 'quick' in sys.argv[5:]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model, loss_fn = workload(name, quick)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times, cpu = [], []
    for i in range(warmup + steps):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        opt.step()
        value = loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({
        'workload': name,
        'framework': 'torch',
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'params': sum(p.numel() for p in model.parameters()),
        'steps': len(times),
        'msPerStep': statistics.median(times),
        'msMin': min(times),
        'cpuMsPerStep': statistics.median(cpu),
        'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'lastLoss': value,
    }))


if __name__ == '__main__':
    main()
