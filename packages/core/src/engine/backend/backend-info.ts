/** The TensorFlow.js backend a process runs on, and why it was chosen (logged and kept in the manifest). */
export interface BackendInfo {
  readonly name: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  readonly reason: string;
  /** Backends tried before this one, with the error each gave. */
  readonly tried: readonly { readonly name: string; readonly error: string }[];
}
