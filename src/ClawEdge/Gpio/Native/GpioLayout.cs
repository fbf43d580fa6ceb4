using System.Runtime.CompilerServices;
using ClawEdge.Platform.Native;

namespace ClawEdge.Gpio.Native;

/// <summary>
/// Every size, offset, ioctl number and flag the managed GPIO and I2C structs rely on, keyed by the C expression
/// that computes it from <c>&lt;linux/gpio.h&gt;</c> and <c>&lt;linux/i2c-dev.h&gt;</c>: tests print the same
/// expressions from a C program built for x86-64 and arm64 and compare; <c>clawedge gpio layout</c> prints this
/// side on any architecture (the arm64 binary under qemu).
/// </summary>
internal static unsafe class GpioLayout
{
    public static IReadOnlyList<KeyValuePair<string, ulong>> Entries()
    {
        var list = new List<KeyValuePair<string, ulong>>();
        void Add(string expression, ulong value) => list.Add(new(expression, value));
        static ulong Off(void* field, void* start) => (ulong)((byte*)field - (byte*)start);

        GpioChipInfo chip;
        Add("sizeof(struct gpiochip_info)", (ulong)sizeof(GpioChipInfo));
        Add("offsetof(struct gpiochip_info, label)", Off(chip.Label, &chip));
        Add("offsetof(struct gpiochip_info, lines)", Off(&chip.Lines, &chip));

        Add("sizeof(struct gpio_v2_line_values)", (ulong)sizeof(GpioLineValues));
        GpioLineAttribute attr;
        Add("sizeof(struct gpio_v2_line_attribute)", (ulong)sizeof(GpioLineAttribute));
        Add("offsetof(struct gpio_v2_line_attribute, flags)", Off(&attr.Value, &attr));
        GpioLineConfigAttribute cattr;
        Add("sizeof(struct gpio_v2_line_config_attribute)", (ulong)sizeof(GpioLineConfigAttribute));
        Add("offsetof(struct gpio_v2_line_config_attribute, mask)", Off(&cattr.Mask, &cattr));

        GpioLineConfig config;
        Add("sizeof(struct gpio_v2_line_config)", (ulong)sizeof(GpioLineConfig));
        Add("offsetof(struct gpio_v2_line_config, num_attrs)", Off(&config.NumAttrs, &config));
        Add("offsetof(struct gpio_v2_line_config, attrs)", Off(&config.Attrs, &config));

        GpioLineRequest request;
        Add("sizeof(struct gpio_v2_line_request)", (ulong)sizeof(GpioLineRequest));
        Add("offsetof(struct gpio_v2_line_request, consumer)", Off(request.Consumer, &request));
        Add("offsetof(struct gpio_v2_line_request, config)", Off(&request.Config, &request));
        Add("offsetof(struct gpio_v2_line_request, num_lines)", Off(&request.NumLines, &request));
        Add("offsetof(struct gpio_v2_line_request, event_buffer_size)", Off(&request.EventBufferSize, &request));
        Add("offsetof(struct gpio_v2_line_request, fd)", Off(&request.Fd, &request));

        GpioLineInfo info;
        Add("sizeof(struct gpio_v2_line_info)", (ulong)sizeof(GpioLineInfo));
        Add("offsetof(struct gpio_v2_line_info, consumer)", Off(info.Consumer, &info));
        Add("offsetof(struct gpio_v2_line_info, offset)", Off(&info.Offset, &info));
        Add("offsetof(struct gpio_v2_line_info, flags)", Off(&info.Flags, &info));
        Add("offsetof(struct gpio_v2_line_info, attrs)", Off(&info.Attrs, &info));

        GpioLineEvent ev;
        Add("sizeof(struct gpio_v2_line_event)", (ulong)sizeof(GpioLineEvent));
        Add("offsetof(struct gpio_v2_line_event, id)", Off(&ev.Id, &ev));
        Add("offsetof(struct gpio_v2_line_event, offset)", Off(&ev.Offset, &ev));

        Add("GPIO_GET_CHIPINFO_IOCTL", GpioUapi.GetChipInfo);
        Add("GPIO_V2_GET_LINEINFO_IOCTL", GpioUapi.GetLineInfo);
        Add("GPIO_V2_GET_LINE_IOCTL", GpioUapi.GetLine);
        Add("GPIO_V2_LINE_SET_CONFIG_IOCTL", GpioUapi.LineSetConfig);
        Add("GPIO_V2_LINE_GET_VALUES_IOCTL", GpioUapi.LineGetValues);
        Add("GPIO_V2_LINE_SET_VALUES_IOCTL", GpioUapi.LineSetValues);
        Add("GPIO_V2_LINE_FLAG_USED", GpioUapi.FlagUsed);
        Add("GPIO_V2_LINE_FLAG_INPUT", GpioUapi.FlagInput);
        Add("GPIO_V2_LINE_FLAG_OUTPUT", GpioUapi.FlagOutput);
        Add("GPIO_V2_LINE_FLAG_EDGE_RISING", GpioUapi.FlagEdgeRising);
        Add("GPIO_V2_LINE_FLAG_EDGE_FALLING", GpioUapi.FlagEdgeFalling);
        Add("GPIO_V2_LINE_FLAG_BIAS_PULL_UP", GpioUapi.FlagBiasPullUp);
        Add("GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN", GpioUapi.FlagBiasPullDown);
        Add("GPIO_V2_LINE_FLAG_BIAS_DISABLED", GpioUapi.FlagBiasDisabled);
        Add("GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME", GpioUapi.FlagEventClockRealtime);
        Add("GPIO_V2_LINE_ATTR_ID_FLAGS", GpioUapi.AttrIdFlags);
        Add("GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES", GpioUapi.AttrIdOutputValues);
        Add("GPIO_V2_LINE_EVENT_RISING_EDGE", GpioUapi.EventRisingEdge);
        Add("GPIO_V2_LINE_EVENT_FALLING_EDGE", GpioUapi.EventFallingEdge);

        I2cSmbusIoctlData smbus;
        Add("sizeof(struct i2c_smbus_ioctl_data)", (ulong)sizeof(I2cSmbusIoctlData));
        Add("offsetof(struct i2c_smbus_ioctl_data, size)", Off(&smbus.Size, &smbus));
        Add("offsetof(struct i2c_smbus_ioctl_data, data)", Off(&smbus.Data, &smbus));
        Add("sizeof(union i2c_smbus_data)", (ulong)sizeof(I2cSmbusData));
        I2cMessage message;
        Add("sizeof(struct i2c_msg)", (ulong)sizeof(I2cMessage));
        Add("offsetof(struct i2c_msg, len)", Off(&message.Length, &message));
        Add("offsetof(struct i2c_msg, buf)", Off(&message.Buffer, &message));
        I2cRdwrIoctlData rdwr;
        Add("sizeof(struct i2c_rdwr_ioctl_data)", (ulong)sizeof(I2cRdwrIoctlData));
        Add("offsetof(struct i2c_rdwr_ioctl_data, nmsgs)", Off(&rdwr.Count, &rdwr));
        Add("I2C_SLAVE", I2cUapi.Slave);
        Add("I2C_FUNCS", I2cUapi.Funcs);
        Add("I2C_RDWR", I2cUapi.Rdwr);
        Add("I2C_SMBUS", I2cUapi.Smbus);
        Add("I2C_SMBUS_READ", I2cUapi.SmbusRead);
        Add("I2C_SMBUS_BYTE", I2cUapi.SmbusByte);
        Add("I2C_SMBUS_BYTE_DATA", I2cUapi.SmbusByteData);
        Add("I2C_SMBUS_WORD_DATA", I2cUapi.SmbusWordData);
        Add("I2C_SMBUS_I2C_BLOCK_DATA", I2cUapi.SmbusI2cBlockData);
        Add("I2C_SMBUS_BLOCK_MAX", I2cUapi.SmbusBlockMax);
        Add("I2C_M_RD", I2cUapi.MessageRead);
        Add("I2C_FUNC_I2C", I2cUapi.FuncI2c);
        Add("I2C_FUNC_SMBUS_READ_I2C_BLOCK", I2cUapi.FuncSmbusReadI2cBlock);

        Add("sizeof(struct pollfd)", (ulong)Unsafe.SizeOf<Libc.PollFd>());
        Add("POLLIN", (ulong)Libc.POLLIN);
        Add("O_NONBLOCK", Libc.O_NONBLOCK);
        Add("O_CLOEXEC", Libc.O_CLOEXEC);
        Add("EFD_CLOEXEC", Libc.EFD_CLOEXEC);
        Add("EBUSY", Libc.EBUSY);
        Add("EREMOTEIO", Libc.EREMOTEIO);
        return list;
    }

    /// <summary>The C program that prints the same entries as "expression=value" lines.</summary>
    public static string CProgram()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("#include <stddef.h>\n#include <stdio.h>\n#include <errno.h>\n#include <fcntl.h>\n#include <poll.h>\n#include <sys/eventfd.h>\n#include <linux/gpio.h>\n#include <linux/i2c.h>\n#include <linux/i2c-dev.h>\nint main(void) {\n");
        foreach (var (expression, _) in Entries())
            sb.Append("  printf(\"%s=%lu\\n\", \"").Append(expression).Append("\", (unsigned long)(").Append(expression).Append("));\n");
        sb.Append("  return 0;\n}\n");
        return sb.ToString();
    }
}
