/** Page module (browser device): the float64 reference inside Chromium, listed as `browser-reference`. */
import { ReferenceImplementation } from './index.ts';
import { SeReferenceMath } from './se-math.ts';

export default new ReferenceImplementation('reference', SeReferenceMath, 'naive JS, float64 accumulation, in Chromium');
