/** Memory estimates of bench workloads, and the refusal of a plan that cannot fit (harness/bench/memory.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPlanMemory, workloadBytes } from '../harness/bench/memory.ts';
import { workloadsFor } from '../harness/bench/options.ts';
import { UsageError } from '../harness/data/select.ts';

test('an SE block needs seven float32 copies of its input; a network its weights twice and sixteen of its largest activation', () => {
  const [block] = workloadsFor(['resnet50'], [8], [16], [], [], [], 224);
  assert.equal(workloadBytes(block!), 7 * 4 * 8 * 256 * 56 * 56);
  const [net] = workloadsFor([], [], [], ['resnet50'], [2], [], 224);
  assert.equal(workloadBytes(net!), 2 * 4 * 25_557_032 + 16 * 4 * 2 * 16 * 224 * 224);
});

test('a plan whose largest workload exceeds the available memory is refused naming it and the fix; one that fits passes', () => {
  const plan = workloadsFor(['resnet50'], [8, 20000], [16], ['resnet50'], [1], [], 224);
  assert.throws(() => checkPlanMemory(plan, 8e9), (e: Error) => e instanceof UsageError
    && /^se\/stage2-256x56x56\/b20000\/r16 would need about 449\.6 GB of memory and 8\.0 GB is available here; use a smaller --batch$/.test(e.message));
  const nets = workloadsFor([], [], [], ['resnet50'], [1], [], 20000);
  assert.throws(() => checkPlanMemory(nets, 8e9), /net\/resnet50\/20000\/b1 would need about .* GB .*; use a smaller --net-batch or --resolution/);
  assert.doesNotThrow(() => checkPlanMemory(workloadsFor(['resnet50'], [8], [2, 16], ['resnet50', 'se-resnet50'], [1], [2, 16], 224), 2e9));
  assert.doesNotThrow(() => checkPlanMemory([], 0));
});
