// Flight DoAction / ListActions (Flight.proto `Action`, `ActionType`, `Result`): the small,
// harmless operations zipflight offers. Results are UTF-8 JSON; an unknown action type is an
// INVALID_ARGUMENT listing the known ones.
import { invalidArgument } from '../errors.ts';
import type { SourceRegistry } from '../sources/registry.ts';
import type { Action, ActionType } from './flight-proto.ts';

export const ACTION_TYPES: ActionType[] = [
  { type: 'healthcheck', description: 'Reports that the server is serving: {"status": "ok"}' },
  { type: 'list-sources', description: 'The registered sources as JSON: [{"name", "description"}]' },
];

const json = (value: unknown) => ({ body: Buffer.from(JSON.stringify(value)) });

export async function* runAction(action: Action, sources: SourceRegistry): AsyncGenerator<{ body: Buffer }> {
  switch (action.type) {
    case 'healthcheck':
      yield json({ status: 'ok' });
      return;
    case 'list-sources':
      yield json(sources.list().map((s) => ({ name: s.name, description: s.description })));
      return;
    default:
      throw invalidArgument(`unknown action '${action.type}'; known actions: ${ACTION_TYPES.map((a) => a.type).join(', ')}`);
  }
}
