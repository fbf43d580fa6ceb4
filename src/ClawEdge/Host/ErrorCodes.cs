namespace ClawEdge.Host;

/// <summary>Error codes the reference nodes use; callers branch on them, so they never change.</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string Unavailable = "UNAVAILABLE";
    public const string Timeout = "TIMEOUT";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string SystemRunDenied = "SYSTEM_RUN_DENIED";
    public const string CameraDisabled = "CAMERA_DISABLED";
    public const string CameraUnavailable = "CAMERA_UNAVAILABLE";
    public const string CameraPermissionRequired = "CAMERA_PERMISSION_REQUIRED";
    public const string ScreenUnavailable = "SCREEN_UNAVAILABLE";
    public const string LocationUnavailable = "LOCATION_UNAVAILABLE";
    public const string LocationTimeout = "LOCATION_TIMEOUT";
    public const string LocationDisabled = "LOCATION_DISABLED";
}
