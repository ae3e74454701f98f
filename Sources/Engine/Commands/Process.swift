import SpatialCore
import Store

/// What a process running Engine jobs sets up once, before anything else.
public enum Engine {
    public static func prepareProcess() {
        // SQLite's process-wide settings must precede its initialisation, which PROJ triggers when it
        // opens proj.db: set them before anything else runs.
        IncidentStore.prepareProcess()
        // Prepared layers persist between runs ($ATALAYA_CACHE_DIR, XDG or ~/.cache/atalaya; ATALAYA_CACHE=off).
        LayerSet.shared.usePersistentCache(LayerCache.fromEnvironment())
    }
}
