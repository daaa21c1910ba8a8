using System.Text;

namespace Linger.Wire.Filtering;

/// <summary>Both operands match (<c>and</c>, <c>&amp;&amp;</c>).</summary>
internal sealed class AndNode(FilterNode left, FilterNode right) : FilterNode
{
    public FilterNode Left { get; } = left;

    public FilterNode Right { get; } = right;

    public override bool Matches(in TcpPacket packet) => Left.Matches(in packet) && Right.Matches(in packet);

    public override void Write(StringBuilder text)
    {
        text.Append('(');
        Left.Write(text);
        text.Append(" and ");
        Right.Write(text);
        text.Append(')');
    }
}

/// <summary>Either operand matches (<c>or</c>, <c>||</c>).</summary>
internal sealed class OrNode(FilterNode left, FilterNode right) : FilterNode
{
    public FilterNode Left { get; } = left;

    public FilterNode Right { get; } = right;

    public override bool Matches(in TcpPacket packet) => Left.Matches(in packet) || Right.Matches(in packet);

    public override void Write(StringBuilder text)
    {
        text.Append('(');
        Left.Write(text);
        text.Append(" or ");
        Right.Write(text);
        text.Append(')');
    }
}

/// <summary>The operand does not match (<c>not</c>, <c>!</c>).</summary>
internal sealed class NotNode(FilterNode operand) : FilterNode
{
    public FilterNode Operand { get; } = operand;

    public override bool Matches(in TcpPacket packet) => !Operand.Matches(in packet);

    public override void Write(StringBuilder text)
    {
        text.Append("not ");
        Operand.Write(text);
    }
}

/// <summary>The empty filter: every packet matches.</summary>
internal sealed class EverythingNode : FilterNode
{
    public static EverythingNode Instance { get; } = new();

    public override bool Matches(in TcpPacket packet) => true;

    public override void Write(StringBuilder text)
    {
    }
}
