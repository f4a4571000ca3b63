/**
 * The se-bench command line. Exit codes: 0 success, 1 a check failed
 * (conformance, benchmark validity, golden reproduction), 2 bad usage, 3 an
 * internal fault (one line; the trace goes to a file: internalError).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_OPTIONS, benchCommand } from './commands/bench.ts';
import { CONFORMANCE_OPTIONS, conformanceCommand } from './commands/conformance.ts';
import { COUNT_OPTIONS, countCommand } from './commands/count.ts';
import { DEVICES_OPTIONS, devicesCommand } from './commands/devices.ts';
import { EXPORT_OPTIONS, exportCommand } from './commands/export.ts';
import { GOLDEN_OPTIONS, goldenCommand } from './commands/golden.ts';
import { INFER_OPTIONS, inferCommand } from './commands/infer.ts';
import { LIST_OPTIONS, listCommand } from './commands/list.ts';
import { PAPER_OPTIONS, paperCommand } from './commands/paper.ts';
import { REPORT_OPTIONS, reportCommand } from './commands/report.ts';
import { closeBrowser } from '../host/browser/driver.ts';
import { GoldenError } from '../data/golden.ts';
import { goldenSource, useGolden } from '../data/paths.ts';
import { IMPLEMENTATION_USAGE } from './implementations.ts';
import { NETWORK_USAGE } from './network-options.ts';
import { runSupervised, supervised } from './supervise.ts';
import { UsageError } from '../data/select.ts';

type Options = Record<string, { type: 'string' | 'boolean' }>;
interface Command {
  summary: string;
  usage: string;
  options: Options;
  /** Commands that take file arguments (report) say so; the others reject positionals. */
  positionals?: boolean;
  run: (values: Record<string, string | boolean | undefined>, positionals: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  conformance: {
    summary: 'check implementations against the golden tensors (the CI gate)',
    usage: `conformance [--device=cpu,webgpu,gpu,browser|all] [--impl=a,b] [--case=glob,...] [--expect=a,b] [--allow-empty] [--json] [--junit=FILE] [--summary-md=FILE] ${IMPLEMENTATION_USAGE}`,
    options: CONFORMANCE_OPTIONS, run: conformanceCommand,
  },
  bench: {
    summary: 'SE block throughput, network latency and SE overhead, reduction-ratio sweep, PyTorch anchors; results JSON + CSV',
    usage: 'bench [--device=cpu,webgpu,gpu,browser|all] [--impl=a,b] [--case=glob,...] [--blocks=resnet50,mobilenet_v3_large|none] [--batch=8] [--ratios=2,4,8,16,32] '
      + '[--model=resnet50,se-resnet50,...|none] [--net-batch=1] [--net-ratios=16] [--net-samples=10] [--precision=1.5%] [--pair-budget=30] [--profile] [--resolution=224] [--quick] [--min-time=MS] [--min-samples=N] '
      + `[--torch-threads=1] [--no-torch] [--out=DIR] [--compare=BASELINE.json [--max-slowdown=10%]] [--json] [--summary-md=FILE] ${IMPLEMENTATION_USAGE}`,
    options: BENCH_OPTIONS, run: benchCommand,
  },
  count: {
    summary: 'params, MACs and FLOPs of a ResNet-50-family network, with SE overhead against its plain baseline',
    usage: `count ${NETWORK_USAGE} [--summary] [--json|--csv]`,
    options: COUNT_OPTIONS, run: countCommand,
  },
  infer: {
    summary: 'run a network with your state dict on your input; writes logits (and SE gates) to compare with PyTorch',
    usage: `infer ${NETWORK_USAGE.replace(' [--resolution=224]', '')} --weights=FILE --input=FILE --output=FILE [--impl=reference] [--gates] ${IMPLEMENTATION_USAGE}`,
    options: INFER_OPTIONS, run: inferCommand,
  },
  export: {
    summary: 'write a network, one SE block or a golden case as an ONNX model (opset 17) for other runtimes and tools',
    usage: `export [--format=onnx] --out=FILE (${NETWORK_USAGE} [--weights=FILE] | --se=C [--ratio=16] [--rule=floor|divisor8] [--bias=on|off] [--squeeze=avg|max|none] | --case=ID)`,
    options: EXPORT_OPTIONS, run: exportCommand,
  },
  paper: {
    summary: 'the SENet paper\'s params and GFLOPs tables beside our exact counts, with the differences',
    usage: 'paper [--json]', options: PAPER_OPTIONS, run: paperCommand,
  },
  list: { summary: 'list golden cases and implementations', usage: `list [--json] ${IMPLEMENTATION_USAGE}`, options: LIST_OPTIONS, run: listCommand },
  devices: {
    summary: 'per device (cpu, webgpu, gpu, browser): available or why not, its implementations, the WebGPU adapter',
    usage: `devices [--json] ${IMPLEMENTATION_USAGE}`, options: DEVICES_OPTIONS,
    run: devicesCommand,
  },
  report: {
    summary: 'one self-contained HTML report (charts + tables, offline), or --format=md for the verdicts and main tables in Markdown, or --format=github-benchmark for the customSmallerIsBetter JSON of github-action-benchmark (benchmark.json), merging any number of results files or run directories',
    usage: 'report <results.json|dir>... [--format=html|md|github-benchmark] [--out=DIR]', options: REPORT_OPTIONS, positionals: true, run: reportCommand,
  },
  golden: {
    summary: 'regenerate golden/ with PyTorch, or --check that it reproduces byte for byte; --cases generates your own SE cases into a new folder for --golden=DIR',
    usage: 'golden [--check] | golden --cases=FILE.json --out=DIR', options: GOLDEN_OPTIONS, run: goldenCommand,
  },
};

const PLUGIN_HELP = 'Plug-ins: --impl-module=PATH adds the SE implementations a Node module default-exports, --page-module=PATH '
  + 'those of a module run inside Chromium (listed as browser-<name>), --impl-onnx=FILE.onnx [--onnx-map=JSON|@FILE] your ONNX graph '
  + 'on each ONNX Runtime back end (docs/own-onnx.md), --call-timeout=MS limits every call into an implementation '
  + '(README "Bring your own implementation"). With plug-ins and no --impl, conformance runs only the plug-ins; bench runs the '
  + 'plug-ins, the fastest built-ins on their devices and the PyTorch anchor. --golden=DIR (any command) reads the golden tensors '
  + 'from DIR instead of the checkout\'s golden/. Exit codes: 0 ok, 1 a check failed, 2 bad usage or an unusable module, 3 an internal fault.';

/**
 * Takes `--golden=DIR` (or `--golden DIR`) out of a command's arguments and
 * reads golden data from DIR from then on; a folder that is not there is a
 * UsageError. Whether DIR holds the right data is GoldenSet's check.
 */
function takeGoldenOption(args: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a !== '--golden' && !a.startsWith('--golden=')) {
      rest.push(a);
      continue;
    }
    const dir = a === '--golden' ? args[++i] : a.slice('--golden='.length);
    if (!dir) throw new UsageError('--golden needs a folder: --golden=DIR, the golden/ folder of an se-bench checkout');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UsageError(`--golden=${dir}: ${existsSync(dir) ? 'is a file, not a folder' : 'no such folder'}; give the golden/ folder of an se-bench checkout`);
    }
    useGolden({ ...goldenSource(), dir });
  }
  return rest;
}

function help(): string {
  return ['usage: se-bench <command> [options]', '', ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`), '', PLUGIN_HELP].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    if (args.includes('--help') || args.includes('-h')) {
      const plugins = 'impl-module' in command.options ? `${PLUGIN_HELP}\n` : '';
      process.stdout.write(`usage: se-bench ${command.usage}\n  ${command.summary}\n${plugins}(docs/commands.md explains every option)\n`);
      return 0;
    }
    const rest = takeGoldenOption(args);
    let values;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: command.positionals ?? false }));
    } catch (e) {
      const valid = Object.keys(command.options).map((o) => `--${o}`).join(', ');
      throw new UsageError(`${(e as Error).message}. Options of "${name}": ${valid}. Usage: se-bench ${command.usage}`);
    }
    return await command.run(values, positionals);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`se-bench: ${e.message}\n`);
      return 2;
    }
    if (e instanceof GoldenError) {
      process.stderr.write(`se-bench: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`${internalError(e, argv)}\n`);
    return 3;
  }
}

/**
 * A fault of se-bench itself (not of the user's input): the whole trace goes
 * to a file in the temporary folder; the user gets one line with the message
 * and that file's path.
 */
export function internalError(e: unknown, argv: readonly string[]): string {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  const file = join(tmpdir(), `se-bench-crash-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
  const trace = `se-bench ${argv.join(' ')}\nnode ${process.version} ${process.platform}-${process.arch}\n\n${e instanceof Error ? e.stack ?? e.message : String(e)}\n`;
  try {
    writeFileSync(file, trace);
    return `se-bench: internal error: ${message}; the full trace is in ${file} (please include it when you report this)`;
  } catch {
    return `se-bench: internal error: ${message}\n${trace}`;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await mainThenClose(process.argv.slice(2), process.argv[1]);
}

/**
 * `main`, then closes the shared Chromium if a browser implementation started
 * one (no orphan processes). `script`, the CLI entry's path, lets `bench` run
 * in a supervised child process (supervise.ts) so signals are answered
 * within seconds.
 */
export async function mainThenClose(argv: string[], script?: string): Promise<number> {
  try {
    if (script && argv[0] === 'bench' && !supervised()) return await runSupervised(script, argv);
    return await main(argv);
  } finally {
    await closeBrowser();
  }
}
