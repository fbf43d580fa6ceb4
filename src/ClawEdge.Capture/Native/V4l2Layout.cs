using ClawEdge.Platform.Native;

namespace ClawEdge.Capture.Native;

/// <summary>
/// Every size, offset and ioctl number the managed V4L2 structs rely on, keyed by the C expression that
/// computes it from <c>&lt;linux/videodev2.h&gt;</c>: tests print the same expressions from a C program built
/// for x86-64 and arm64 and compare, and <c>clawedge camera layout --json</c> prints this side on any architecture.
/// </summary>
public static unsafe class V4l2Layout
{
    public static IReadOnlyList<KeyValuePair<string, ulong>> Entries()
    {
        var list = new List<KeyValuePair<string, ulong>>();
        void Add(string expression, long value) => list.Add(new(expression, (ulong)value));
        static long Off(void* field, void* start) => (byte*)field - (byte*)start;

        V4l2Capability cap;
        Add("sizeof(struct v4l2_capability)", sizeof(V4l2Capability));
        Add("offsetof(struct v4l2_capability, card)", Off(cap.Card, &cap));
        Add("offsetof(struct v4l2_capability, bus_info)", Off(cap.BusInfo, &cap));
        Add("offsetof(struct v4l2_capability, capabilities)", Off(&cap.Capabilities, &cap));
        Add("offsetof(struct v4l2_capability, device_caps)", Off(&cap.DeviceCaps, &cap));

        V4l2FmtDesc desc;
        Add("sizeof(struct v4l2_fmtdesc)", sizeof(V4l2FmtDesc));
        Add("offsetof(struct v4l2_fmtdesc, description)", Off(desc.Description, &desc));
        Add("offsetof(struct v4l2_fmtdesc, pixelformat)", Off(&desc.PixelFormat, &desc));
        Add("offsetof(struct v4l2_fmtdesc, mbus_code)", Off(&desc.MbusCode, &desc));

        V4l2PixFormat pix;
        Add("sizeof(struct v4l2_pix_format)", sizeof(V4l2PixFormat));
        Add("offsetof(struct v4l2_pix_format, bytesperline)", Off(&pix.BytesPerLine, &pix));
        Add("offsetof(struct v4l2_pix_format, sizeimage)", Off(&pix.SizeImage, &pix));
        Add("offsetof(struct v4l2_pix_format, xfer_func)", Off(&pix.XferFunc, &pix));

        V4l2PixFormatMplane mp;
        Add("sizeof(struct v4l2_plane_pix_format)", sizeof(V4l2PlanePixFormat));
        Add("sizeof(struct v4l2_pix_format_mplane)", sizeof(V4l2PixFormatMplane));
        Add("offsetof(struct v4l2_pix_format_mplane, plane_fmt)", Off(&mp.Plane0, &mp));
        Add("offsetof(struct v4l2_pix_format_mplane, num_planes)", Off(&mp.NumPlanes, &mp));
        Add("offsetof(struct v4l2_pix_format_mplane, xfer_func)", Off(&mp.XferFunc, &mp));

        V4l2Format fmt;
        Add("sizeof(struct v4l2_format)", sizeof(V4l2Format));
        Add("offsetof(struct v4l2_format, fmt)", Off(&fmt.Pix, &fmt));
        Add("offsetof(struct v4l2_format, fmt.pix_mp)", Off(&fmt.PixMp, &fmt));

        V4l2RequestBuffers req;
        Add("sizeof(struct v4l2_requestbuffers)", sizeof(V4l2RequestBuffers));
        Add("offsetof(struct v4l2_requestbuffers, capabilities)", Off(&req.Capabilities, &req));
        Add("offsetof(struct v4l2_requestbuffers, flags)", Off(&req.Flags, &req));

        V4l2Buffer buf;
        Add("sizeof(struct v4l2_buffer)", sizeof(V4l2Buffer));
        Add("offsetof(struct v4l2_buffer, field)", Off(&buf.Field, &buf));
        Add("offsetof(struct v4l2_buffer, timestamp)", Off(&buf.Timestamp, &buf));
        Add("offsetof(struct v4l2_buffer, timestamp.tv_usec)", Off(&buf.Timestamp.Microseconds, &buf));
        Add("offsetof(struct v4l2_buffer, timecode)", Off(buf.Timecode, &buf));
        Add("offsetof(struct v4l2_buffer, sequence)", Off(&buf.Sequence, &buf));
        Add("offsetof(struct v4l2_buffer, memory)", Off(&buf.Memory, &buf));
        Add("offsetof(struct v4l2_buffer, m)", Off(&buf.MOffset, &buf));
        Add("offsetof(struct v4l2_buffer, length)", Off(&buf.Length, &buf));
        Add("offsetof(struct v4l2_buffer, reserved2)", Off(&buf.Reserved2, &buf));
        Add("offsetof(struct v4l2_buffer, request_fd)", Off(&buf.RequestFd, &buf));

        V4l2Plane plane;
        Add("sizeof(struct v4l2_plane)", sizeof(V4l2Plane));
        Add("offsetof(struct v4l2_plane, m)", Off(&plane.MMemOffset, &plane));
        Add("offsetof(struct v4l2_plane, data_offset)", Off(&plane.DataOffset, &plane));

        V4l2FrmSizeEnum size;
        Add("sizeof(struct v4l2_frmsizeenum)", sizeof(V4l2FrmSizeEnum));
        Add("offsetof(struct v4l2_frmsizeenum, type)", Off(&size.Type, &size));
        Add("offsetof(struct v4l2_frmsizeenum, discrete)", Off(&size.DiscreteWidth, &size));
        Add("offsetof(struct v4l2_frmsizeenum, stepwise.max_width)", Off(&size.MaxWidth, &size));
        Add("offsetof(struct v4l2_frmsizeenum, stepwise.step_height)", Off(&size.StepHeight, &size));
        Add("offsetof(struct v4l2_frmsizeenum, reserved)", Off(size.Reserved, &size));

        V4l2FrmIvalEnum ival;
        Add("sizeof(struct v4l2_frmivalenum)", sizeof(V4l2FrmIvalEnum));
        Add("offsetof(struct v4l2_frmivalenum, type)", Off(&ival.Type, &ival));
        Add("offsetof(struct v4l2_frmivalenum, discrete)", Off(&ival.Discrete, &ival));
        Add("offsetof(struct v4l2_frmivalenum, stepwise.max)", Off(&ival.Max, &ival));
        Add("offsetof(struct v4l2_frmivalenum, stepwise.step)", Off(&ival.Step, &ival));
        Add("offsetof(struct v4l2_frmivalenum, reserved)", Off(ival.Reserved, &ival));

        V4l2StreamParm parm;
        Add("sizeof(struct v4l2_streamparm)", sizeof(V4l2StreamParm));
        Add("sizeof(struct v4l2_captureparm)", sizeof(V4l2CaptureParm));
        Add("offsetof(struct v4l2_streamparm, parm.capture)", Off(&parm.Capture, &parm));
        Add("offsetof(struct v4l2_streamparm, parm.capture.timeperframe)", Off(&parm.Capture.TimePerFrame, &parm));
        Add("offsetof(struct v4l2_streamparm, parm.capture.readbuffers)", Off(&parm.Capture.ReadBuffers, &parm));

        V4l2QueryCtrl qc;
        Add("sizeof(struct v4l2_control)", sizeof(V4l2Control));
        Add("sizeof(struct v4l2_queryctrl)", sizeof(V4l2QueryCtrl));
        Add("offsetof(struct v4l2_queryctrl, minimum)", Off(&qc.Minimum, &qc));
        Add("offsetof(struct v4l2_queryctrl, default_value)", Off(&qc.DefaultValue, &qc));
        Add("offsetof(struct v4l2_queryctrl, flags)", Off(&qc.Flags, &qc));
        V4l2EncoderCmd ec;
        Add("sizeof(struct v4l2_encoder_cmd)", sizeof(V4l2EncoderCmd));
        Add("offsetof(struct v4l2_encoder_cmd, raw)", Off(ec.Data, &ec));

        Add("sizeof(struct pollfd)", sizeof(Libc.PollFd));
        Add("VIDIOC_QUERYCAP", (long)V4l2Abi.VIDIOC_QUERYCAP);
        Add("VIDIOC_ENUM_FMT", (long)V4l2Abi.VIDIOC_ENUM_FMT);
        Add("VIDIOC_G_FMT", (long)V4l2Abi.VIDIOC_G_FMT);
        Add("VIDIOC_S_FMT", (long)V4l2Abi.VIDIOC_S_FMT);
        Add("VIDIOC_REQBUFS", (long)V4l2Abi.VIDIOC_REQBUFS);
        Add("VIDIOC_QUERYBUF", (long)V4l2Abi.VIDIOC_QUERYBUF);
        Add("VIDIOC_QBUF", (long)V4l2Abi.VIDIOC_QBUF);
        Add("VIDIOC_DQBUF", (long)V4l2Abi.VIDIOC_DQBUF);
        Add("VIDIOC_STREAMON", (long)V4l2Abi.VIDIOC_STREAMON);
        Add("VIDIOC_STREAMOFF", (long)V4l2Abi.VIDIOC_STREAMOFF);
        Add("VIDIOC_G_PARM", (long)V4l2Abi.VIDIOC_G_PARM);
        Add("VIDIOC_S_PARM", (long)V4l2Abi.VIDIOC_S_PARM);
        Add("VIDIOC_ENUM_FRAMESIZES", (long)V4l2Abi.VIDIOC_ENUM_FRAMESIZES);
        Add("VIDIOC_ENUM_FRAMEINTERVALS", (long)V4l2Abi.VIDIOC_ENUM_FRAMEINTERVALS);
        Add("VIDIOC_G_CTRL", (long)V4l2Abi.VIDIOC_G_CTRL);
        Add("VIDIOC_S_CTRL", (long)V4l2Abi.VIDIOC_S_CTRL);
        Add("VIDIOC_QUERYCTRL", (long)V4l2Abi.VIDIOC_QUERYCTRL);
        Add("VIDIOC_ENCODER_CMD", (long)V4l2Abi.VIDIOC_ENCODER_CMD);
        Add("V4L2_BUF_TYPE_VIDEO_OUTPUT", V4l2Abi.BUF_TYPE_VIDEO_OUTPUT);
        Add("V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE", V4l2Abi.BUF_TYPE_VIDEO_OUTPUT_MPLANE);
        Add("V4L2_CAP_VIDEO_M2M", V4l2Abi.CAP_VIDEO_M2M);
        Add("V4L2_CAP_VIDEO_M2M_MPLANE", V4l2Abi.CAP_VIDEO_M2M_MPLANE);
        Add("V4L2_BUF_FLAG_KEYFRAME", V4l2Abi.BUF_FLAG_KEYFRAME);
        Add("V4L2_BUF_FLAG_LAST", V4l2Abi.BUF_FLAG_LAST);
        Add("V4L2_ENC_CMD_STOP", V4l2Abi.ENC_CMD_STOP);
        Add("V4L2_PIX_FMT_YUV420", V4l2Abi.PIX_FMT_YUV420);
        Add("V4L2_PIX_FMT_NV12", V4l2Abi.PIX_FMT_NV12);
        Add("V4L2_PIX_FMT_H264", V4l2Abi.PIX_FMT_H264);
        Add("V4L2_PIX_FMT_FWHT", V4l2Abi.PIX_FMT_FWHT);
        Add("V4L2_CID_MPEG_VIDEO_GOP_SIZE", V4l2Abi.CID_MPEG_VIDEO_GOP_SIZE);
        Add("V4L2_CID_MPEG_VIDEO_BITRATE", V4l2Abi.CID_MPEG_VIDEO_BITRATE);
        Add("V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER", V4l2Abi.CID_MPEG_VIDEO_REPEAT_SEQ_HEADER);
        Add("V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME", V4l2Abi.CID_MPEG_VIDEO_FORCE_KEY_FRAME);
        Add("V4L2_CID_MPEG_VIDEO_H264_I_PERIOD", V4l2Abi.CID_MPEG_VIDEO_H264_I_PERIOD);
        Add("V4L2_CID_MPEG_VIDEO_H264_PROFILE", V4l2Abi.CID_MPEG_VIDEO_H264_PROFILE);
        Add("V4L2_MPEG_VIDEO_H264_PROFILE_CONSTRAINED_BASELINE", V4l2Abi.MPEG_VIDEO_H264_PROFILE_CONSTRAINED_BASELINE);
        Add("V4L2_CTRL_FLAG_DISABLED", V4l2Abi.CTRL_FLAG_DISABLED);
        Add("O_NONBLOCK", Libc.O_NONBLOCK);
        Add("O_CLOEXEC", Libc.O_CLOEXEC);
        Add("MAP_SHARED", Libc.MAP_SHARED);
        return list;
    }

    /// <summary>The C program that prints the same entries as "expression=value" lines.</summary>
    public static string CProgram()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("#include <stddef.h>\n#include <stdio.h>\n#include <fcntl.h>\n#include <poll.h>\n#include <sys/mman.h>\n#include <sys/time.h>\n#include <linux/videodev2.h>\nint main(void) {\n");
        foreach (var (expression, _) in Entries())
            sb.Append("  printf(\"%s=%lu\\n\", \"").Append(expression).Append("\", (unsigned long)(").Append(expression).Append("));\n");
        sb.Append("  return 0;\n}\n");
        return sb.ToString();
    }
}
