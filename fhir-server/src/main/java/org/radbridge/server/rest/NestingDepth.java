package org.radbridge.server.rest;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * Follows the nesting of a JSON or XML body byte by byte as it is read, and refuses (400) the body
 * the moment it goes deeper than the limit — before a parser builds a tree of it or recurses into
 * it. Counts JSON objects and arrays outside strings; XML elements outside comments, CDATA,
 * processing instructions, declarations and attribute values.
 */
abstract class NestingDepth implements BodyWatcher {
  private final int max;
  private int depth;

  NestingDepth(int max) {
    this.max = max;
  }

  static NestingDepth json(int max) {
    return new Json(max);
  }

  static NestingDepth xml(int max) {
    return new Xml(max);
  }

  @Override
  public abstract void accept(int b);

  void open() {
    if (++depth > max) {
      throw new InvalidRequestException("The request body nests deeper than " + max + " levels of "
          + what() + " (radbridge.limits.max-nesting-depth)");
    }
  }

  void close() {
    if (depth > 0) {
      depth--;
    }
  }

  abstract String what();

  private static final class Json extends NestingDepth {
    private boolean inString;
    private boolean escaped;

    Json(int max) {
      super(max);
    }

    @Override
    public void accept(int b) {
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (b == '\\') {
          escaped = true;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        open();
      } else if (b == '}' || b == ']') {
        close();
      }
    }

    @Override
    String what() {
      return "objects and arrays";
    }
  }

  private static final class Xml extends NestingDepth {
    private enum State { TEXT, LT, START_TAG, QUOTED, END_TAG, BANG, COMMENT, CDATA, DECL, PI }

    private State state = State.TEXT;
    private int quote;
    private boolean slash;
    private int bangLength;
    private int declBrackets;
    private int prev1;
    private int prev2;

    Xml(int max) {
      super(max);
    }

    @Override
    public void accept(int b) {
      switch (state) {
        case TEXT -> {
          if (b == '<') state = State.LT;
        }
        case LT -> {
          if (b == '/') {
            state = State.END_TAG;
          } else if (b == '?') {
            state = State.PI;
          } else if (b == '!') {
            state = State.BANG;
            bangLength = 0;
          } else {
            state = State.START_TAG;
            slash = false;
          }
        }
        case START_TAG -> {
          if (b == '"' || b == '\'') {
            quote = b;
            state = State.QUOTED;
          } else if (b == '>') {
            if (!slash) {
              open();
            }
            state = State.TEXT;
          } else if (b > ' ') {
            slash = b == '/';
          }
        }
        case QUOTED -> {
          if (b == quote) state = State.START_TAG;
        }
        case END_TAG -> {
          if (b == '>') {
            close();
            state = State.TEXT;
          }
        }
        case BANG -> {
          // "<!--" a comment, "<![CDATA[" character data, "<!DOCTYPE", "<!ENTITY"... a declaration
          bangLength++;
          if (b == '-') {
            if (bangLength == 2) state = State.COMMENT;
          } else if (b == '[') {
            state = State.CDATA;
          } else {
            state = State.DECL;
            declBrackets = 0;
            quote = 0;
          }
        }
        case COMMENT -> {
          if (b == '>' && prev1 == '-' && prev2 == '-') state = State.TEXT;
        }
        case CDATA -> {
          if (b == '>' && prev1 == ']' && prev2 == ']') state = State.TEXT;
        }
        case DECL -> {
          if (quote != 0) {
            if (b == quote) quote = 0;
          } else if (b == '"' || b == '\'') {
            quote = b;
          } else if (b == '[') {
            declBrackets++;
          } else if (b == ']') {
            declBrackets--;
          } else if (b == '>' && declBrackets <= 0) {
            state = State.TEXT;
          }
        }
        case PI -> {
          if (b == '>' && prev1 == '?') state = State.TEXT;
        }
        default -> { }
      }
      prev2 = prev1;
      prev1 = b;
    }

    @Override
    String what() {
      return "elements";
    }
  }
}
