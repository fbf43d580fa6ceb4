using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

public static unsafe partial class Libc
{
    public const int PROT_READ = 1, PROT_WRITE = 2;
    public const int MAP_SHARED = 1;

    /// <summary>mmap(2): the mapping, or MAP_FAILED ((void*)-1) and errno.</summary>
    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, SafeHandle fd, long offset);

    /// <summary>munmap(2): 0, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);
}
