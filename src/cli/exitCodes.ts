// The codes belong to the library (integrators read them off CnsError); the CLI maps them to exits.
export { type ErrorCode, EXIT, EXIT_FOR } from '../util/codes.js';
