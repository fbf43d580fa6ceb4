using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

public static partial class Libc
{
    /// <summary>malloc_trim(3) (glibc): gives free heap pages back to the kernel; 1 if memory was released, else 0.</summary>
    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    public static partial int MallocTrim(nuint pad);
}
