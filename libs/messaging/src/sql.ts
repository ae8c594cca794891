import { assertSchemaName } from './messaging.options';

/** Fully quoted names of the lib's tables in one schema (the schema name is validated first). */
export function messagingTables(schema: string) {
  const quoted = `"${assertSchemaName(schema)}"`;
  return {
    schema: quoted,
    outbox: `${quoted}."outbox"`,
    inbox: `${quoted}."inbox"`,
    deadLetters: `${quoted}."dead_letters"`,
    notifyFunction: `${quoted}."outbox_notify"`,
    /** pg_notify channel; LISTEN needs it quoted because it is an identifier there. */
    notifyChannel: `${schema}_outbox`,
  };
}

export type MessagingTables = ReturnType<typeof messagingTables>;
