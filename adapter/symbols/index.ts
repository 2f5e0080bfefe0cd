/**
 * The symbol reader's public surface for the debug adapter: build a `Symbols` from a
 * parsed ELF, ask it about lines, functions, frames, variables and types, and format
 * values with `formatValue`/`children`. Everything it raises for bad input is a
 * `DwarfError`. See symbols.ts for the facade and the other files for each DWARF part.
 */
export { Symbols, DwarfError, pathMatches } from './symbols';
export type { FunctionInfo, SourceLine, LineLocation, LineResolution } from './symbols';
export type { Scope, Variable, VariableKind, FrameAccess } from './scope';
export type { Location, EvalContext } from './expr';
export type { UnwindResult, ReadMemory } from './unwind';
export { REG_RA, REG_SP, REG_FP } from './unwind';
export type { Type, Member } from './types';
export { typeName, sizeOf, strip } from './types';
export { formatValue, children, readUnsigned } from './format';
export type { FormatOptions, Child } from './format';
