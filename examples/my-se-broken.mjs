// The broken twin of my-se.mjs: the same SE block without the gate's sigmoid.
// The conformance gate must fail it, naming the failing cases:
//   npx se-bench conformance --impl-module=examples/my-se-broken.mjs --impl=my-se-no-sigmoid   (exit 1)
import { createSe } from './my-se.mjs';

export default createSe({ name: 'my-se-no-sigmoid', sigmoid: false });
