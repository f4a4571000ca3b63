/**
 * --impl-onnx=FILE.onnx [--onnx-map=JSON|@FILE]: a user's own ONNX graph of an
 * SE block, checked and timed on every ONNX Runtime back end the built-in
 * ort-* implementations use, as onnx-<stem>-ort-cpu, -ort-wasm, -ort-webgpu
 * (docs/own-onnx.md). The file is read and matched when the implementations
 * load, so a file that cannot be used is one line and exit 2 before any case.
 */
import type { SeImplementation } from '../../contract/implementation.ts';
import { UsageError } from '../../data/select.ts';
import { OnnxFileImplementation } from './implementation.ts';
import { parseOnnxMap } from './map.ts';
import { loadOnnxFile } from './model.ts';
import type { RuntimeKind } from './runtimes.ts';

export { fileImplementationName, OnnxFileImplementation } from './implementation.ts';
export { GOLDEN_SE_WEIGHTS, loadOnnxFile, OnnxFileError } from './model.ts';
export { parseOnnxMap } from './map.ts';
export type { FileRuntime, RuntimeKind } from './runtimes.ts';

/**
 * The file's implementations, one per runtime in `runtimes` (the built-in ORT loaders:
 * harness/cli/builtins.ts ortFileRuntimes); none without --impl-onnx. A bad file or map is a UsageError.
 */
export function onnxFileImplementations(file: string | undefined, map: string | undefined, runtimes: readonly RuntimeKind[]): SeImplementation[] {
  if (file === undefined) {
    if (map !== undefined) throw new UsageError('--onnx-map needs --impl-onnx=FILE.onnx, the graph it maps');
    return [];
  }
  if (file.trim() === '') throw new UsageError('--impl-onnx is empty; give the ONNX file of an SE block: --impl-onnx=se.onnx');
  const loaded = loadOnnxFile(file, parseOnnxMap(map));
  return runtimes.map((kind) => new OnnxFileImplementation(loaded, kind));
}
