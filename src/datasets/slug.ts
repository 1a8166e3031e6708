/** Stable value ids from display names: "Children's" -> "children_s", "Sci-Fi" -> "sci_fi", "Amélie" -> "amelie". */
export function slugify(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
