using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

public static partial class Libc
{
    /// <summary>glibc's <c>struct statvfs</c> on 64-bit Linux: eleven unsigned longs then six ints, 112 bytes on x86-64 and arm64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct StatVfs
    {
        public ulong f_bsize;
        public ulong f_frsize;
        public ulong f_blocks;
        public ulong f_bfree;
        public ulong f_bavail;
        public ulong f_files;
        public ulong f_ffree;
        public ulong f_favail;
        public ulong f_fsid;
        public ulong f_flag;
        public ulong f_namemax;
        public fixed int f_spare[6];
    }

    /// <summary>statvfs(3): 0 and the file system's counts in <paramref name="buffer"/>, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Statvfs(string path, out StatVfs buffer);
}
