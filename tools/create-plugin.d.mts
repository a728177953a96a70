export interface CreatePluginOptions {
  readonly kind: 'strategy' | 'dataset';
  readonly id: string;
  readonly dir?: string;
  readonly name?: string;
  readonly description?: string;
  readonly force?: boolean;
  readonly root?: string;
}
export function createPlugin(options: CreatePluginOptions): { dir: string; name: string; files: string[] };
