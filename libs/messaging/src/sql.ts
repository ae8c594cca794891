import { assertSchemaName } from './messaging.options';

/** Every service's dead letters, in its own schema (the gateway's admin API lists them all). */
export const DEAD_LETTERS_TABLE = 'dead_letters';

/** Fully quoted names of the lib's tables in one schema (the schema name is validated first). */
export function messagingTables(schema: string) {
  const quoted = `"${assertSchemaName(schema)}"`;
  return {
    schema: quoted,
    outbox: `${quoted}."outbox"`,
    inbox: `${quoted}."inbox"`,
    deadLetters: `${quoted}."${DEAD_LETTERS_TABLE}"`,
    tenantTombstones: `${quoted}."tenant_tombstones"`,
    notifyFunction: `${quoted}."outbox_notify"`,
    /** pg_notify channel; LISTEN needs it quoted because it is an identifier there. */
    notifyChannel: `${schema}_outbox`,
  };
}

export type MessagingTables = ReturnType<typeof messagingTables>;
