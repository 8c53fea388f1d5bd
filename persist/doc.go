// Package persist saves kiln models in the .kiln bundle format and loads them
// back, so that a model trained in one program can be scored in another with
// one import.
//
// A bundle is a single file in the safetensors layout (FORMAT.md has the
// specification; reader/kiln_reader.py is a reference reader in Python with
// numpy alone, tested against every golden bundle): an 8-byte header length, a
// JSON header describing each tensor, then the tensors' raw little-endian
// bytes. The header's metadata holds kiln's Manifest (format version, pipeline
// steps and their hyperparameters, input schema, outputs, metrics, lineage)
// and two SHA-256 digests, one over the data and one over the header itself,
// so that any changed byte is detected before a model is built. Loading never
// runs code from the file: a bundle holds numbers and strings only.
//
// Save and Load write and read a fitted pipeline.Pipeline (Marshal and
// Unmarshal do it in memory); a Registry keeps NAME/VERSION/model.kiln
// directories with immutable versions and movable aliases such as
// "production" (Registry.Publish and Registry.Load; Promote, Rollback and
// Prune manage them), and a pipeline loaded through it reports its name and
// version. Register adds a codec for a step type of one's own; the built-in
// kinds are registered the same way. Encode, Decode, ReadFile and WriteFile
// (and Registry.PublishBundle and ReadBundle) work on the Bundle itself, for
// codecs and inspection tools: WriteFile saves
// atomically (temporary file, fsync, rename) and refuses to overwrite unless
// asked.
//
// # Untrusted files
//
// A bundle crosses trust boundaries, and anyone who can write a file can
// recompute its digests, so the digests stop accidents, not attacks. Loading
// treats every byte as hostile: Load, Unmarshal and Decode never panic, and
// everything a bundle declares (its header length, tensor shapes and
// offsets, string offsets, and each step's sizes such as k-means' k, the
// features of a model, a table's levels and hash buckets) is checked
// against the bytes actually present before anything of that size is
// allocated. A tensor has at most 8 dimensions and the header at most 100
// MiB. Loading a file of n bytes allocates at most 24n bytes plus 1 MiB, the
// n bytes read included; the costliest bundles per byte that the format
// allows (200,000 metrics in the manifest, a million empty tensors) measure
// 19n and 8n. Failures wrap ErrCorrupt, ErrUnsupportedVersion or
// ErrUnsupported (a step kind without a codec), for errors.Is.
package persist
