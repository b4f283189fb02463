// Values read through env_var() for connection credentials. They are replaced by `****` in every
// message sluice prints or writes, so a secret never reaches logs, the manifest or the docs.

export class Secrets {
  private readonly values = new Set<string>();

  add(value: string): void {
    // Very short values would redact ordinary words; credentials are longer than this.
    if (value.length >= 4) this.values.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.values) out = out.split(v).join("****");
    return out;
  }
}
