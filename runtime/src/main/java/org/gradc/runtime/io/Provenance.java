package org.gradc.runtime.io;

/**
 * Where a checkpoint's parameters came from, as the caller knows it; stored in the safetensors
 * {@code __metadata__}. Any field may be {@code null} (unknown), and is then left out.
 *
 * @param sourceHash a hash of the model source (e.g. SHA-256 of the .grad file)
 * @param compilerVersion the gradc version that generated the model class
 * @param seed the initialization / shuffle seed of the run
 * @param dataFingerprint e.g. {@link org.gradc.runtime.data.Dataset#fingerprint()}
 */
public record Provenance(
    String sourceHash, String compilerVersion, Long seed, String dataFingerprint) {
  public static final Provenance NONE = new Provenance(null, null, null, null);
}
