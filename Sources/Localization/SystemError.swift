import Foundation

/// An operating-system error (`errno`) in the current language. `strerror` speaks only the C locale's
/// English, which would leave an English fragment in a Spanish message; the codes a user meets while
/// reading inputs and writing outputs are translated here, any other falls back to `strerror`.
public func systemErrorText(_ code: Int32) -> String {
    switch code {
    case ENOENT: return tr("no existe el archivo o la carpeta", "no such file or directory")
    case EACCES, EPERM: return tr("permiso denegado", "permission denied")
    case EISDIR: return tr("es una carpeta", "is a directory")
    case ENOTDIR: return tr("una parte de la ruta no es una carpeta", "a component of the path is not a directory")
    case ENOSPC: return tr("no queda espacio en el disco", "no space left on device")
    case EDQUOT: return tr("se agotó la cuota de disco", "disk quota exceeded")
    case EROFS: return tr("el sistema de archivos es de solo lectura", "read-only file system")
    case EFBIG: return tr("el archivo supera el tamaño máximo permitido", "file too large")
    case EIO: return tr("error de entrada/salida del disco", "input/output error")
    case ENAMETOOLONG: return tr("nombre de archivo demasiado largo", "file name too long")
    case ELOOP: return tr("demasiados enlaces simbólicos en la ruta", "too many levels of symbolic links")
    case EMFILE, ENFILE: return tr("demasiados archivos abiertos", "too many open files")
    case EEXIST: return tr("el archivo ya existe", "file exists")
    case EXDEV: return tr("la ruta está en otro sistema de archivos", "cross-device link")
    default:
        let text = String(cString: strerror(code))
        return tr("error del sistema \(code) (\(text))", text)
    }
}
