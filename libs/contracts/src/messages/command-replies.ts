/** The answer of a command that deletes what it names (a missing one is rejected instead). */
export interface DeletedReply {
  deleted: true;
}

/** The answer of the dead-letter replay command: the message is back on its queue. */
export interface DeadLetterReplayedReply {
  replayed: true;
}
