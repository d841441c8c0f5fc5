/**
 * Direct access to the TF.js WASM backend's heap, for the kernels and tensors this project writes
 * itself. The backend's class is not exported with types: this is the part of it they use.
 */
import type { DataType, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';

export type HeapPixels = Float32Array | Int32Array | Uint8Array;

export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): HeapPixels;
}

/**
 * A float32 tensor of `shape` holding `values` (converted as typed arrays convert), allocated in
 * the WASM heap and written there at once: no JavaScript-side float copy of a decode is made.
 */
export function heapTensor(values: ArrayLike<number>, shape: number[]): Tensor {
  const backend = tf.backend() as unknown as WasmHeapBackend;
  const info = backend.makeOutput(shape, 'float32');
  backend.typedArrayFromHeap(info).set(values);
  return tf.engine().makeTensorFromTensorInfo(info);
}

interface RefCountedBackend {
  incRef(dataId: object): void;
}

/**
 * Replaces the WASM backend's Identity kernel (tf.clone) with one that shares the input's data,
 * as its own Reshape does and as the CPU backend's Identity does: tensors are never written in
 * place. Human clones the whole photo before resizing it for the detector, a 13 MB copy at
 * 1200 px (and its CPU) for a tensor only read. Once per thread.
 */
export function useSharedIdentity(): void {
  if (!tf.getKernel('Identity', 'wasm') || sharedIdentityInstalled) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as TensorInfo;
      (backend as unknown as RefCountedBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  });
  sharedIdentityInstalled = true;
}

let sharedIdentityInstalled = false;
