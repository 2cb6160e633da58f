/**
 * The reference CNN trained in PyTorch (CPU), for the tfjs/PyTorch ratio: the same layers
 * (3 convs 3x3 stride 2 padding 1 with bias, 32/64/128 channels, ReLU, global average pool,
 * dense), softmax cross-entropy, Adam lr 1e-3, a fixed random batch; NCHW, PyTorch's native
 * layout, as NHWC is tfjs's. The script is written to a temporary file and run by python3; it
 * times its own steps, so interpreter start and `import torch` are not counted.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const TORCH_SCRIPT = `
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

args = json.loads(sys.argv[1])
torch.set_num_threads(args["threads"])
torch.manual_seed(0)


class ReferenceCnn(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(3, 32, 3, 2, 1), nn.Conv2d(32, 64, 3, 2, 1), nn.Conv2d(64, 128, 3, 2, 1)])
        self.dense = nn.Linear(128, classes)

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return self.dense(x.mean(dim=(2, 3)))


net = ReferenceCnn(args["classes"])
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.randn(args["batch"], 3, args["size"], args["size"])
y = torch.randint(0, args["classes"], (args["batch"],))


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(net(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


for _ in range(args["warmup"]):
    step()
times = []
for _ in range(args["steps"]):
    start = time.perf_counter()
    step()
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "step_ms": times}))
`;

export interface TorchRunOptions {
  batchSize: number;
  imageSize: number;
  classes: number;
  warmup: number;
  steps: number;
  threads: number;
}

export interface TorchRun {
  torchVersion: string;
  threads: number;
  /** Milliseconds of each timed step. */
  stepMs: number[];
}

/** `python3` on PATH unless ASL_RUN_PYTHON names another (e.g. /usr/bin/python3 where Debian's python3-torch lives). */
const PYTHON = process.env.ASL_RUN_PYTHON || 'python3';

/** Undefined when `python3 -c "import torch"` works; otherwise why PyTorch cannot be used. */
export function torchUnavailableReason(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 });
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message})`;
  if (probe.status !== 0) {
    const lines = probe.stderr.trim().split('\n');
    return `${PYTHON} -c "import torch" failed: ${lines[lines.length - 1] || `exit status ${probe.status}`}`;
  }
  return undefined;
}

/** Runs the PyTorch reference once; throws with the script's stderr when it fails. */
export function runTorchReference(options: TorchRunOptions): TorchRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-run-bench-'));
  const script = path.join(dir, 'reference_cnn.py');
  try {
    fs.writeFileSync(script, TORCH_SCRIPT);
    const args = JSON.stringify({
      batch: options.batchSize, size: options.imageSize, classes: options.classes,
      warmup: options.warmup, steps: options.steps, threads: options.threads,
    });
    const run = spawnSync(PYTHON, [script, args], { encoding: 'utf8', timeout: 600_000 });
    if (run.error || run.status !== 0) {
      throw new Error(`PyTorch reference (${script}) failed: ${run.error?.message ?? run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    const lastLine = run.stdout.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(lastLine) as { torch: string; threads: number; step_ms: number[] };
    if (!Array.isArray(parsed.step_ms) || parsed.step_ms.length !== options.steps) {
      throw new Error(`PyTorch reference printed an unexpected result: ${lastLine.slice(0, 200)}`);
    }
    return { torchVersion: parsed.torch, threads: parsed.threads, stepMs: parsed.step_ms };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
