// How a run is named on screen: say what it was (a build is not a release), and keep ids short.
const KIND_LABELS: Record<string, string> = {
  build: 'Build and test',
  release: 'Release',
  rollback: 'Rollback',
  drill: 'Drill',
};

export function runKindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** The first 12 characters: enough to tell runs and commits apart on screen. */
export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

/** An ISO time as the person's local date and time; anything else as it came. */
export function formatTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : time.toLocaleString();
}
