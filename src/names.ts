// The names users may write, for menus and checks in their own code. Frozen copies: changing
// them cannot change what the library accepts.
import {
  ACTIVATIONS as activations,
  LOSSES as losses,
  OPTIMIZERS as optimizers,
  type Activation,
  type Loss,
  type OptimizerName,
} from './kinds.js';

/** Every activation (src/kinds/activations.ts describes each; softmax on output layers only). */
export const ACTIVATIONS: readonly Activation[] = Object.freeze([...activations]);
/** Every loss. */
export const LOSSES: readonly Loss[] = Object.freeze([...losses]);
/** Every optimizer type. */
export const OPTIMIZERS: readonly OptimizerName[] = Object.freeze([...optimizers]);
